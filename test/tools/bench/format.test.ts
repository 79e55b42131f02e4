import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { figure, spreadText, verdictText } from "../../../tools/bench/format";

describe("report formatting", () => {
    it("writes about three significant digits", () => {
        assert.deepEqual([1234.5, 56.78, 1.2345, 0.012345, 0].map(figure), [
            "1235",
            "56.8",
            "1.23",
            "0.0123",
            "0",
        ]);
    });
    it("writes a median with its range, and a lone value alone", () => {
        assert.equal(spreadText({ n: 3, median: 1.1, min: 1, max: 1.2 }), "1.10 (1.00–1.20)");
        assert.equal(spreadText({ n: 1, median: 2, min: 2, max: 2 }), "2.00");
        assert.equal(spreadText({ n: 3, median: 2, min: 2, max: 2 }), "2.00");
        assert.equal(spreadText(undefined), "–");
    });
    it("writes each verdict, and nothing without both dataplanes", () => {
        const s = { n: 3, median: 1, min: 1, max: 1 };
        assert.equal(
            verdictText({
                iptables: s,
                bpf: s,
                verdict: { kind: "different", changePercent: -23.4 },
            }),
            "−23% (ranges apart, n = 3/3)",
        );
        assert.equal(
            verdictText({ iptables: s, bpf: s, verdict: { kind: "no-measurable-difference" } }),
            "no measurable difference (n = 3/3)",
        );
        assert.match(
            verdictText({
                iptables: s,
                bpf: { ...s, n: 1 },
                verdict: { kind: "too-few-repetitions" },
            }),
            /too few repetitions to tell \(n = 3\/1; needs 3 each\)/,
        );
        assert.equal(verdictText({ iptables: s }), "–");
    });
});
