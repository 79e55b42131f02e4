/**
 * `npm run lab -- study`: runs the planned steps on the lab's stack, records each result on disk as
 * soon as it is known, and stops at the first failure saying how to resume. verify and bench run
 * as child processes of this project, with the kubeconfig in their environment only.
 */
import { describeError } from "../../cli/errors";
import { field } from "../../../core/unstructured";
import { InterruptedError } from "../../cli/passphrase";
import { explained } from "../../cli/pulumi-errors";
import {
    outputValues,
    type LabStack,
    type OperationOptions,
    type OutputMap,
} from "../../cli/pulumi-stack";
import { parseStackOutputs } from "../../cli/stack-outputs";
import type { StudyOptions } from "../command";
import {
    parseStudyRecord,
    planStudy,
    resumeFrom,
    StudyError,
    type Step,
    type StepResult,
    type StudyRecord,
} from "./plan";
import { formatDuration, renderStudyReport } from "./report";

/** How a verify or bench child process ended: exit code, its stdout (JSON), its output's last lines. */
export interface ToolRun {
    readonly code: number;
    readonly stdout: string;
    readonly tail: readonly string[];
}

export type RunTool = (
    tool: "verify" | "bench",
    args: readonly string[],
    kubeconfig: string,
) => Promise<ToolRun>;

/** Where the study keeps its record and report (bench-results/study/). */
export interface StudyStore {
    read(): string | undefined;
    write(record: StudyRecord, report: string): void;
    /** Moves an earlier study aside for --from-scratch; where it went, or undefined when none. */
    archive(): string | undefined;
    /** bench's --results: this study's runs only, so its comparison is of them. */
    readonly resultsFile: string;
    /** How the user finds the report. */
    readonly reportPath: string;
}

export interface StudyDeps {
    readonly stack: LabStack;
    readonly operation: OperationOptions;
    readonly destroyLab: () => Promise<void>;
    readonly runTool: RunTool;
    readonly store: StudyStore;
    readonly now: () => number;
    readonly log: (line: string) => void;
    /** The last lines the engine printed, for a failed up. */
    readonly outputTail: () => readonly string[];
    readonly interrupted: () => boolean;
}

interface Outcome {
    readonly ok: boolean;
    readonly summary: string;
    readonly detail?: unknown;
    readonly tail?: readonly string[];
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** Runs the study; resolves with the final record, rejects with StudyError or InterruptedError. */
export async function runStudy(
    stackName: string,
    options: StudyOptions,
    deps: StudyDeps,
): Promise<StudyRecord> {
    const { stack, store, log } = deps;
    const plan = planStudy(options);
    if (options.fromScratch) {
        const archived = store.archive();
        if (archived !== undefined) log(`the earlier study was moved to ${archived}`);
    }
    const text = options.fromScratch ? undefined : store.read();
    const previous = text === undefined ? undefined : parseStudyRecord(text);
    const { kept, remaining } = resumeFrom(plan, previous, {
        stack: stackName,
        benchArgs: options.benchArgs,
    });
    let record: StudyRecord = {
        version: 1,
        stack: stackName,
        startedAt:
            kept.length > 0 && previous ? previous.startedAt : new Date(deps.now()).toISOString(),
        benchArgs: options.benchArgs,
        results: kept,
    };
    if (remaining.length === 0) {
        store.write(
            record,
            renderStudyReport(record, plan, { complete: true, destroyed: options.destroy }),
        );
        log(`the study on disk is complete (${store.reportPath}); --from-scratch runs it again`);
        return record;
    }
    if (kept.length > 0) {
        log(`resuming at ${remaining[0]?.name ?? ""}: ${kept.length} step(s) done before are kept`);
    }

    let outputs: OutputMap | undefined;
    const labOutputs = async () =>
        parseStackOutputs(outputValues((outputs ??= await stack.outputs())), stackName);
    const runStep = async (step: Step): Promise<Outcome> => {
        switch (step.kind) {
            case "up": {
                const dataplane = step.dataplane ?? "iptables";
                await explained(stackName, () =>
                    stack.setConfig("dataplane", { value: dataplane }, false),
                );
                outputs = await explained(stackName, () => stack.up(deps.operation));
                const live = (await labOutputs()).dataplane;
                return live === dataplane
                    ? { ok: true, summary: `up done, dataplane output ${live}` }
                    : {
                          ok: false,
                          summary: `after up the stack's dataplane output is ${live}, not ${dataplane}`,
                      };
            }
            case "verify": {
                const lab = await labOutputs();
                const args = ["--json", "--kubeconfig-env", "--url", lab.yaobankUrl];
                const run = await deps.runTool(
                    "verify",
                    [...args, "--expect", step.dataplane ?? ""],
                    lab.kubeconfig,
                );
                const report = parseJson(run.stdout);
                const summary = field(report, "summary");
                return {
                    ok: run.code === 0 && field(report, "ok") === true,
                    summary: typeof summary === "string" ? summary : `verify exited ${run.code}`,
                    detail: report,
                    tail: run.tail,
                };
            }
            case "bench": {
                const lab = await labOutputs();
                const args = [
                    "--json",
                    "--kubeconfig-env",
                    "--results",
                    store.resultsFile,
                    ...options.benchArgs,
                ];
                const run = await deps.runTool("bench", args, lab.kubeconfig);
                const result = parseJson(run.stdout);
                const dataplane = field(result, "dataplane");
                const measured = typeof dataplane === "string" ? dataplane : undefined;
                const id = field(result, "id");
                if (run.code !== 0)
                    return { ok: false, summary: `bench exited ${run.code}`, tail: run.tail };
                if (measured !== undefined && measured !== step.dataplane) {
                    return {
                        ok: false,
                        summary: `bench measured ${measured}, not ${step.dataplane ?? ""}`,
                        tail: run.tail,
                    };
                }
                return {
                    ok: true,
                    summary: `run ${typeof id === "string" ? id : "?"} on ${step.dataplane ?? ""}`,
                    detail: { id, dataplane: measured, fingerprint: field(result, "fingerprint") },
                };
            }
            case "destroy":
                await deps.destroyLab();
                return { ok: true, summary: "the lab's resources are deleted" };
        }
    };

    for (const [index, step] of remaining.entries()) {
        log(`step ${step.name}: ${step.title}`);
        const started = deps.now();
        let outcome: Outcome;
        try {
            outcome = await runStep(step);
        } catch (error) {
            outcome = { ok: false, summary: describeError(error), tail: deps.outputTail() };
        }
        const result: StepResult = {
            name: step.name,
            ok: outcome.ok,
            startedAt: new Date(started).toISOString(),
            durationSeconds: (deps.now() - started) / 1000,
            summary: deps.interrupted() ? "interrupted" : outcome.summary,
            ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
        };
        record = { ...record, results: [...record.results, result] };
        const last = index === remaining.length - 1;
        store.write(
            record,
            renderStudyReport(record, plan, {
                ...(result.ok ? {} : { failed: step.name }),
                complete: last && result.ok,
                destroyed: step.kind === "destroy" && result.ok,
            }),
        );
        log(
            `${step.name}: ${result.ok ? "ok" : "FAILED"} in ${formatDuration(result.durationSeconds)}: ${result.summary}`,
        );
        if (!result.ok) {
            if (deps.interrupted()) throw new InterruptedError();
            for (const line of outcome.tail ?? []) log(`  | ${line}`);
            throw new StudyError(
                `the study stopped at ${step.name} (${step.title}): ${result.summary}; ` +
                    "once that is fixed, `npm run lab -- study` resumes from this step",
            );
        }
    }
    log(`the study is complete: ${store.reportPath}`);
    return record;
}
