import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../../tools/cli/args";
import {
    between,
    ELIDED,
    sampleBlocks,
    tierExcerpt,
    verifyReport,
} from "../../../tools/docs/tier-sample";
import { PROJECT_DIR } from "../../support/paths";

const page = (file: string) => readFileSync(join(PROJECT_DIR, "docs", file), "utf8");

/** The lines of the tier excerpt docs/testing.md shows. */
function shownExcerpt(): string[] {
    const { inside } = between(page("testing.md"), "tier-sample", "docs/testing.md");
    const start = inside.indexOf("```text\n") + "```text\n".length;
    return inside.slice(start, inside.lastIndexOf("\n```")).split("\n");
}

/** A transcript with the excerpt's lines, and a line of other output wherever it shows "…". */
const transcriptOf = (excerpt: readonly string[], other = "other output of the run"): string =>
    excerpt.map((line) => (line.startsWith(ELIDED) ? other : line)).join("\n");

describe("the docs' sample output, cut from a transcript of the cluster tier", () => {
    it("shows in docs/testing.md exactly what the script cuts from a transcript with those lines", () => {
        const excerpt = shownExcerpt();
        assert.ok(excerpt.length > 30, excerpt.join("\n"));
        assert.deepEqual(tierExcerpt(transcriptOf(excerpt)), excerpt);
    });
    it("marks a gap of many lines once", () => {
        const excerpt = shownExcerpt();
        const longGaps = excerpt
            .flatMap((line) => (line.startsWith(ELIDED) ? ["a", "b", "c"] : [line]))
            .join("\n");
        assert.deepEqual(tierExcerpt(longGaps), excerpt);
    });
    it("shows in docs/verify.md the verify report of that same run", () => {
        const { inside } = between(page("verify.md"), "tier-verify-sample", "docs/verify.md");
        assert.equal(inside, sampleBlocks(shownExcerpt(), "2026-12-06").verify);
        assert.match(verifyReport(shownExcerpt()).at(-1) ?? "", /^verdict +PASS: eBPF/);
    });
    it("labels the sample as a tier run and says when it was recorded", () => {
        const { testing } = sampleBlocks(shownExcerpt(), "2026-12-06");
        assert.match(testing, /^A run of the tier, on the local cluster \(not Azure;/m);
        assert.match(testing, /recorded on 2026-12-06/);
        assert.match(testing, /npm run docs:tier-sample/);
    });
    it("refuses a transcript without the lines the sample needs, naming them", () => {
        assert.throws(
            () => tierExcerpt("cluster toolchain abc in /x\nbuilt\n"),
            (error: unknown) =>
                error instanceof UsageError &&
                /the transcript has no aks-managed-calico-v3\.31\.7 fixture/.test(error.message),
        );
    });
});
