/**
 * The first failing test's evidence, printed again as the run's last lines. A failed flip on the
 * tier is explained by its nodes (calico-node's log, the runtime's starts and exits), which the
 * failing test prints where it fails, among thousands of lines; CI keeps only the log's tail, and
 * after a cascade of failures that tail holds the last test's error, not the first one's cause.
 * The tier's tests write the first failure's evidence to the file the runner names in EVIDENCE_ENV;
 * the runner prints it once the tests have ended.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { clipped } from "../../core/parse";

/** The file a test run's first failure writes its evidence to; unset, nothing is kept. */
export const EVIDENCE_ENV = "LAB_TIER_EVIDENCE";

/** At most this many lines of evidence, each at most EVIDENCE_LINE_CHARS long. */
export const EVIDENCE_LINES = 100;
export const EVIDENCE_LINE_CHARS = 400;

/**
 * Keeps `sections` (titled lists of lines) in `file` (EVIDENCE_ENV's) as the evidence of failed test
 * `test`, unless an earlier failure's evidence is kept already; whether it kept them. Each section
 * keeps its last lines: the section's share of EVIDENCE_LINES, after the test's own line and one
 * title line each.
 */
export function keepFirstFailure(
    test: string,
    sections: readonly { readonly title: string; readonly lines: readonly string[] }[],
    file: string | undefined,
): boolean {
    if (file === undefined || file === "" || existsSync(file)) return false;
    const share = Math.floor((EVIDENCE_LINES - 1) / Math.max(1, sections.length)) - 1;
    const text = [
        `the first failing test: ${test}`,
        ...sections.flatMap(({ title, lines }) => [
            `${title}:`,
            ...lines.slice(-share).map((line) => `  ${clipped(line, EVIDENCE_LINE_CHARS)}`),
        ]),
    ];
    writeFileSync(file, `${text.join("\n")}\n`, { flag: "wx" });
    return true;
}

/** The kept evidence, headed for the end of the run's output; undefined when no test kept any. */
export function evidenceReport(file: string): string | undefined {
    if (!existsSync(file)) return undefined;
    return `test:cluster: the first failure's evidence (printed in full where it failed, above):\n${readFileSync(file, "utf8")}`;
}
