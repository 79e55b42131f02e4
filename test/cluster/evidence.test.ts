import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { EVIDENCE_LINE_CHARS, EVIDENCE_LINES, evidenceReport, keepFirstFailure } from "./evidence";

describe("the first failure's evidence", () => {
    const dir = mkdtempSync(join(tmpdir(), "evidence-test-"));
    after(() => {
        rmSync(dir, { recursive: true, force: true });
    });
    const numbered = (n: number, prefix: string) =>
        Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1)}`);

    it("keeps the first failure's sections, their last lines within the run's budget", () => {
        const file = join(dir, "first.txt");
        assert.equal(evidenceReport(file), undefined, "no failure, no report");
        const kept = keepFirstFailure(
            "v3.30.7: 1a. the engine killed",
            [
                { title: "calico-node log of calico-node-j8rwc", lines: numbered(500, "felix") },
                { title: "the harness's last lines", lines: ["nodes: started", "x".repeat(900)] },
            ],
            file,
        );
        assert.equal(kept, true);
        const later = [{ title: "later", lines: ["later"] }];
        assert.equal(keepFirstFailure("v3.30.7: 1b. later", later, file), false);
        const report = evidenceReport(file) ?? "";
        const lines = report.trimEnd().split("\n");
        assert.match(lines[0] ?? "", /^test:cluster: the first failure's evidence/);
        assert.equal(lines[1], "the first failing test: v3.30.7: 1a. the engine killed");
        assert.doesNotMatch(report, /later/, "a later failure replaced the first");
        assert.ok(lines.length - 1 <= EVIDENCE_LINES, `${String(lines.length)} lines`);
        assert.match(report, /calico-node-j8rwc:\n {2}felix 453\n/, "the log's last lines");
        assert.match(report, / {2}felix 500\nthe harness's last lines:\n {2}nodes: started\n/);
        assert.doesNotMatch(report, /felix 452\n/);
        assert.ok(lines.every((line) => line.length <= EVIDENCE_LINE_CHARS + 2));
        assert.match(report, / x+…\n$/);
    });

    it("keeps nothing when the runner named no file", () => {
        assert.equal(keepFirstFailure("a test", [{ title: "t", lines: ["l"] }], undefined), false);
        assert.equal(keepFirstFailure("a test", [{ title: "t", lines: ["l"] }], ""), false);
    });
});
