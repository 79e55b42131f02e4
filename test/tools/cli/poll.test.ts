import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeClock } from "../../support/clock";
import { NotConvergedError, pollUntilConverged } from "../../../tools/cli/poll";

const answers = (...lists: string[][]) => {
    let i = 0;
    return () => Promise.resolve(lists[Math.min(i++, lists.length - 1)] ?? []);
};

describe("pollUntilConverged", () => {
    it("returns after the required streak of converged looks", async () => {
        const clock = fakeClock();
        await pollUntilConverged("x", answers(["a"], [], []), {
            clock,
            timeoutMs: 60_000,
            intervalMs: 5_000,
            consecutive: 2,
        });
        assert.deepEqual(clock.sleeps, [5_000, 5_000]);
    });

    it("restarts the streak when something is pending again", async () => {
        const clock = fakeClock();
        await pollUntilConverged("x", answers([], ["felix restarting"], [], []), {
            clock,
            timeoutMs: 60_000,
            intervalMs: 1_000,
            consecutive: 2,
        });
        assert.equal(clock.sleeps.length, 3);
    });

    it("fails at the deadline, naming what did not converge and how long it waited", async () => {
        const clock = fakeClock();
        await assert.rejects(
            pollUntilConverged("the switch", answers(["bpfEnabled is false"]), {
                clock,
                timeoutMs: 30_000,
                intervalMs: 10_000,
                consecutive: 1,
            }),
            (error: unknown) => {
                assert.ok(error instanceof NotConvergedError);
                assert.equal(
                    error.message,
                    "the switch did not converge within 30s; still waiting for:\n  - bpfEnabled is false",
                );
                return true;
            },
        );
        assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000]);
    });

    it("counts a failed read as pending and keeps polling", async () => {
        const clock = fakeClock();
        let calls = 0;
        const progress: string[] = [];
        await pollUntilConverged(
            "x",
            () =>
                ++calls === 1
                    ? Promise.reject(new Error("fetch failed", { cause: new Error("ECONNRESET") }))
                    : Promise.resolve([]),
            {
                clock,
                timeoutMs: 60_000,
                intervalMs: 1_000,
                consecutive: 1,
                onProgress: (p) => progress.push(p.join()),
            },
        );
        assert.deepEqual(progress, [
            "could not read the cluster (its API server): fetch failed (ECONNRESET)",
            "",
        ]);
    });
});
