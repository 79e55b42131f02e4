import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import { forEachBounded, withRetry } from "../../../tools/bench/batch";
import { fakeClock } from "../../support/clock";

describe("forEachBounded", () => {
    it("does every item once with never more than the limit in flight, and reports progress", async () => {
        let inFlight = 0;
        let most = 0;
        const seen: number[] = [];
        const progress: number[] = [];
        const items = Array.from({ length: 100 }, (_, i) => i);
        await forEachBounded(
            items,
            7,
            async (item) => {
                inFlight++;
                most = Math.max(most, inFlight);
                for (let i = 0; i < item % 5; i++) await tick();
                seen.push(item);
                inFlight--;
            },
            (done) => progress.push(done),
        );
        assert.equal(most, 7);
        assert.deepEqual(
            [...seen].sort((a, b) => a - b),
            items,
        );
        assert.deepEqual(
            progress,
            Array.from({ length: 100 }, (_, i) => i + 1),
        );
    });

    it("stops starting work after a failure and throws it once the running work ends", async () => {
        const started: number[] = [];
        await assert.rejects(
            forEachBounded(
                Array.from({ length: 50 }, (_, i) => i),
                4,
                async (item) => {
                    started.push(item);
                    await tick();
                    if (item === 5) throw new Error("quota exceeded");
                },
            ),
            /quota exceeded/,
        );
        assert.ok(started.length < 12, started.join(","));
    });
});

describe("withRetry", () => {
    const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

    it("retries throttling and server errors with growing pauses, then succeeds", async () => {
        const clock = fakeClock();
        const answers = [apiError(429), apiError(503), "created"];
        const result = await withRetry(() => {
            const next = answers.shift();
            return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
        }, clock);
        assert.equal(result, "created");
        assert.deepEqual(clock.sleeps, [1000, 2000]);
    });

    it("does not retry an error a retry cannot fix, and gives up after the last attempt", async () => {
        const clock = fakeClock();
        let calls = 0;
        await assert.rejects(
            withRetry(() => {
                calls++;
                return Promise.reject(apiError(409));
            }, clock),
            /HTTP 409/,
        );
        assert.equal(calls, 1);
        calls = 0;
        await assert.rejects(
            withRetry(
                () => {
                    calls++;
                    return Promise.reject(apiError(429));
                },
                clock,
                3,
            ),
            /HTTP 429/,
        );
        assert.equal(calls, 3);
    });
});
