import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { percentileIsMeaningful, spread, verdict, type Spread } from "../../../tools/bench/stats";

const of = (values: number[]) => spread(values) as Spread;

describe("spread", () => {
    it("gives the median (middle value, or the mean of the two middle ones) and the range", () => {
        assert.deepEqual(spread([3, 1, 2]), { n: 3, median: 2, min: 1, max: 3 });
        assert.deepEqual(spread([4, 1, 3, 2]), { n: 4, median: 2.5, min: 1, max: 4 });
        assert.deepEqual(spread([7]), { n: 1, median: 7, min: 7, max: 7 });
        assert.equal(spread([]), undefined);
    });
});

describe("the no-measurable-difference rule", () => {
    it("says different only when the ranges do not overlap, with the change of the median", () => {
        const result = verdict(of([1.0, 1.1, 1.2]), of([0.7, 0.75, 0.8]));
        assert.ok(result.kind === "different", JSON.stringify(result));
        assert.ok(Math.abs(result.changePercent - -31.818) < 0.01, String(result.changePercent));
        assert.equal(verdict(of([1, 2, 3]), of([4, 5, 6])).kind, "different");
    });

    it("says no measurable difference when the ranges overlap, even with different medians", () => {
        assert.deepEqual(verdict(of([1.0, 1.1, 1.5]), of([0.7, 0.75, 1.0])), {
            kind: "no-measurable-difference",
        });
        assert.deepEqual(verdict(of([1, 2, 3]), of([3, 4, 5])), {
            kind: "no-measurable-difference",
        });
    });

    it("refuses to call a difference with fewer than 3 repetitions on either side", () => {
        assert.deepEqual(verdict(of([1]), of([2])), { kind: "too-few-repetitions" });
        assert.deepEqual(verdict(of([1, 1.1, 1.2]), of([2, 2.1])), {
            kind: "too-few-repetitions",
        });
    });
});

describe("percentileIsMeaningful", () => {
    it("wants 10 samples beyond the percentile", () => {
        assert.equal(percentileIsMeaningful(99.9, 10_000), true);
        assert.equal(percentileIsMeaningful(99.9, 9_999), false);
        assert.equal(percentileIsMeaningful(99, 1_000), true);
        assert.equal(percentileIsMeaningful(99, 999), false);
        assert.equal(percentileIsMeaningful(50, 20), true);
    });
});
