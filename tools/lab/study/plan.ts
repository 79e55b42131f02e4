/**
 * The study's steps, what the results on disk record, and where an interrupted study resumes.
 * Pure: the runner (study.ts) does the steps and writes the record after each one.
 */
import type { Dataplane } from "../../../core/dataplane";

/** bench-results/<this>/: study.json, study.md, and bench's results.json + comparison.{md,svg}. */
export const STUDY_DIR_NAME = "study";

export type StepKind = "up" | "verify" | "bench" | "destroy";

export interface Step {
    readonly name: string;
    readonly kind: StepKind;
    /** The dataplane the lab is on for this step (none for destroy). */
    readonly dataplane?: Dataplane;
    readonly title: string;
}

export interface StepResult {
    readonly name: string;
    readonly ok: boolean;
    readonly startedAt: string;
    readonly durationSeconds: number;
    /** One line: the verdict, the run, or why it failed. */
    readonly summary: string;
    /** What the step's tool reported (verify's report, bench's run), as JSON. */
    readonly detail?: unknown;
}

export interface StudyRecord {
    readonly version: 1;
    readonly stack: string;
    readonly startedAt: string;
    /** The options handed to bench: every bench step of one study measures the same way. */
    readonly benchArgs: readonly string[];
    readonly results: readonly StepResult[];
}

export class StudyError extends Error {
    override name = "StudyError";
}

/** The experiment: build and measure iptables, flip to eBPF and measure, flip back and prove it. */
export function planStudy(options: {
    readonly skipBench: boolean;
    readonly destroy: boolean;
}): Step[] {
    const bench = (dataplane: Dataplane, title: string): Step[] =>
        options.skipBench ? [] : [{ name: `bench-${dataplane}`, kind: "bench", dataplane, title }];
    return [
        {
            name: "up-iptables",
            kind: "up",
            dataplane: "iptables",
            title: "build (or adopt) the lab on iptables",
        },
        {
            name: "verify-iptables",
            kind: "verify",
            dataplane: "iptables",
            title: "verify iptables",
        },
        ...bench("iptables", "measure iptables"),
        { name: "flip-to-bpf", kind: "up", dataplane: "bpf", title: "flip to eBPF" },
        {
            name: "verify-bpf",
            kind: "verify",
            dataplane: "bpf",
            title: "verify eBPF: the client's address is preserved",
        },
        ...bench("bpf", "measure eBPF"),
        {
            name: "revert-to-iptables",
            kind: "up",
            dataplane: "iptables",
            title: "flip back to iptables",
        },
        {
            name: "verify-revert",
            kind: "verify",
            dataplane: "iptables",
            title: "verify the revert: iptables live, the app answering",
        },
        ...(options.destroy
            ? [{ name: "destroy", kind: "destroy", title: "destroy the lab" } as const]
            : []),
    ];
}

/** A study record read back from disk, or a StudyError saying why it cannot be used. */
export function parseStudyRecord(text: string): StudyRecord {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new StudyError("the study record is not JSON: --from-scratch starts a new study");
    }
    const record = parsed as Partial<StudyRecord>;
    if (
        record.version !== 1 ||
        typeof record.stack !== "string" ||
        !Array.isArray(record.results)
    ) {
        throw new StudyError(
            "the study record is not a version 1 study: --from-scratch starts a new study",
        );
    }
    return record as StudyRecord;
}

export interface Resume {
    /** Results of the steps already done, in plan order. */
    readonly kept: readonly StepResult[];
    /** The steps still to run; empty when the study is complete. */
    readonly remaining: readonly Step[];
}

/**
 * The study continues from the first planned step without a successful result on disk; every
 * step after it runs again (each one depends on the state the one before left). A record of another
 * stack, or of bench runs made with other options, is refused rather than mixed in.
 */
export function resumeFrom(
    plan: readonly Step[],
    record: StudyRecord | undefined,
    current: { readonly stack: string; readonly benchArgs: readonly string[] },
): Resume {
    if (record === undefined) return { kept: [], remaining: plan };
    if (record.stack !== current.stack) {
        throw new StudyError(
            `the study on disk is of stack ${record.stack}, not ${current.stack}: ` +
                `LAB_STACK=${record.stack} resumes it, --from-scratch starts a new one`,
        );
    }
    const done = new Map(record.results.filter((r) => r.ok).map((r) => [r.name, r]));
    const first = plan.findIndex((step) => !done.has(step.name));
    const kept = (first < 0 ? plan : plan.slice(0, first)).map(
        (step) => done.get(step.name) as StepResult,
    );
    const remaining = first < 0 ? [] : plan.slice(first);
    const benchDone = kept.some((result) => result.name.startsWith("bench-"));
    const benchToDo = remaining.some((step) => step.kind === "bench");
    if (benchDone && benchToDo && record.benchArgs.join(" ") !== current.benchArgs.join(" ")) {
        throw new StudyError(
            `the study on disk measured with "${record.benchArgs.join(" ") || "bench's defaults"}": ` +
                "resume with the same --repeat/--services/--duration, or --from-scratch",
        );
    }
    return { kept, remaining };
}
