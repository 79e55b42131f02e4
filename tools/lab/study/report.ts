/** study.md: what the study did, how long each step took, the verdicts and the fingerprint. Pure. */
import { DATAPLANE_TITLE } from "../../../core/dataplane";
import { field } from "../../../core/unstructured";
import type { Step, StudyRecord } from "./plan";

/** `6 min 05 s`, or `42 s` under a minute. */
export function formatDuration(seconds: number): string {
    const whole = Math.round(seconds);
    const minutes = Math.floor(whole / 60);
    const rest = String(whole % 60).padStart(2, "0");
    return minutes === 0 ? `${whole} s` : `${minutes} min ${rest} s`;
}

/** A fingerprint object as `key: value` lines, nested keys joined with dots. */
export function fingerprintLines(fingerprint: unknown, prefix = ""): string[] {
    if (typeof fingerprint !== "object" || fingerprint === null) {
        return prefix === "" ? [] : [`${prefix}: ${JSON.stringify(fingerprint)}`];
    }
    return Object.entries(fingerprint).flatMap(([key, value]) => {
        const name = prefix === "" ? key : `${prefix}.${key}`;
        if (typeof value === "object" && value !== null && !Array.isArray(value))
            return fingerprintLines(value, name);
        return [`${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`];
    });
}

export interface StudyStatus {
    /** The step the study stopped at, when it failed. */
    readonly failed?: string;
    readonly complete: boolean;
    readonly destroyed: boolean;
}

export function renderStudyReport(
    record: StudyRecord,
    plan: readonly Step[],
    status: StudyStatus,
): string {
    const results = new Map(record.results.map((result) => [result.name, result]));
    const state = status.failed
        ? `**Stopped at \`${status.failed}\`.** Fix what it says, then \`npm run lab -- study\` resumes from that step. The lab is left as it is.`
        : status.complete
          ? status.destroyed
              ? "**Complete.** The lab was destroyed at the end (`--destroy`)."
              : "**Complete.** The lab is still up, on iptables, and billing: `npm run lab -- destroy` removes it."
          : "**In progress.**";
    const stepRows = plan.map((step) => {
        const result = results.get(step.name);
        const outcome = result === undefined ? "not run" : result.ok ? "ok" : "**failed**";
        const duration = result === undefined ? "" : formatDuration(result.durationSeconds);
        const summary = (result?.summary ?? "").replaceAll("|", "\\|");
        return `| \`${step.name}\` | ${step.title} | ${outcome} | ${duration} | ${summary} |`;
    });
    const flips = plan
        .filter((step) => step.kind === "up" && step.name !== "up-iptables")
        .flatMap((step) => {
            const result = results.get(step.name);
            if (!result?.ok || step.dataplane === undefined) return [];
            return [
                `- ${step.title} (\`up\`, end to end): ${formatDuration(result.durationSeconds)}`,
            ];
        });
    const verdicts = plan
        .filter((step) => step.kind === "verify")
        .flatMap((step) => {
            const result = results.get(step.name);
            return result === undefined ? [] : [`- ${step.title}: ${result.summary}`];
        });
    const runs = plan
        .filter((step) => step.kind === "bench")
        .flatMap((step) => {
            const result = results.get(step.name);
            return result?.ok ? [{ step, run: result.detail }] : [];
        });
    const fingerprints = runs.flatMap(({ step, run }) => {
        const lines = fingerprintLines(field(run, "fingerprint"));
        const title = step.dataplane === undefined ? step.name : DATAPLANE_TITLE[step.dataplane];
        return lines.length === 0
            ? []
            : [`${title} run:`, "", ...lines.map((line) => `- ${line}`), ""];
    });
    return [
        `# Calico dataplane study: stack \`${record.stack}\``,
        "",
        `Started ${record.startedAt}. ${state}`,
        "",
        "| step | what | result | duration | summary |",
        "| ---- | ---- | ------ | -------- | ------- |",
        ...stepRows,
        "",
        "## How long a flip takes",
        "",
        ...(flips.length > 0 ? flips : ["- no flip completed yet"]),
        "",
        "## Verify verdicts",
        "",
        ...(verdicts.length > 0 ? verdicts : ["- none yet"]),
        "",
        "## Benchmark",
        "",
        ...(runs.length === 0
            ? [
                  "No bench run in this study" +
                      (plan.some((s) => s.kind === "bench") ? " yet." : " (`--skip-bench`)."),
              ]
            : [
                  `Bench options: ${record.benchArgs.join(" ") || "bench's defaults"}. ` +
                      "The comparison of this study's runs: [comparison.md](comparison.md), [comparison.svg](comparison.svg).",
              ]),
        "",
        "## Fingerprint",
        "",
        ...(fingerprints.length > 0
            ? fingerprints
            : ["The bench runs recorded no fingerprint.", ""]),
    ].join("\n");
}
