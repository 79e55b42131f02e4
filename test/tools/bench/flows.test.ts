import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FLOWS, planSteps, type Step } from "../../../tools/bench/flows";

const label = (step: Step) =>
    step.kind === "standing"
        ? `standing ${step.services}`
        : step.kind === "programming"
          ? `probe n${step.services} r${step.repetition}`
          : `${step.flow} n${step.services} r${step.repetition}`;

describe("planSteps", () => {
    it("interleaves the repetitions: every flow once per round, not each flow three times in a row", () => {
        const steps = planSteps(["p2p-tcp", "crr"], [0], 3).map(label);
        assert.deepEqual(steps, [
            "standing 0",
            "probe n0 r1",
            "p2p-tcp n0 r1",
            "crr n0 r1",
            "probe n0 r2",
            "p2p-tcp n0 r2",
            "crr n0 r2",
            "probe n0 r3",
            "p2p-tcp n0 r3",
            "crr n0 r3",
        ]);
    });

    it("runs every flow at the first count of Services and only CRR at the larger ones", () => {
        const steps = planSteps(FLOWS, [0, 1000, 5000], 2);
        const at = (services: number) =>
            steps
                .filter((s) => s.kind === "flow" && s.services === services)
                .map((s) => (s.kind === "flow" ? s.flow : ""));
        assert.deepEqual(at(0), [...FLOWS, ...FLOWS]);
        assert.deepEqual(at(1000), ["crr", "crr"]);
        assert.deepEqual(at(5000), ["crr", "crr"]);
        assert.deepEqual(
            steps.filter((s) => s.kind === "standing").map((s) => s.services),
            [0, 1000, 5000],
        );
        assert.equal(steps.filter((s) => s.kind === "programming").length, 6);
    });

    it("still probes the programming latency at larger counts when no flow is sensitive to them", () => {
        const steps = planSteps(["p2p-tcp"], [0, 1000], 1).map(label);
        assert.deepEqual(steps, [
            "standing 0",
            "probe n0 r1",
            "p2p-tcp n0 r1",
            "standing 1000",
            "probe n1000 r1",
        ]);
    });
});
