import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoAnswerError, probeUntilAnswered } from "../../../tools/verify/http-probe";
import { closedUrl, withServer } from "../../support/http-server";

const quick = { timeoutMs: 2_000, intervalMs: 50, requestTimeoutMs: 1_000 };

describe("probeUntilAnswered (against a real server on 127.0.0.1)", () => {
    it("retries through error pages until the page answers", async () => {
        await withServer([503, 502, 200], async (server) => {
            const outcomes: string[] = [];
            const result = await probeUntilAnswered(`${server.url}?lab-verify=x`, {
                ...quick,
                onAttempt: (_, outcome) => outcomes.push(outcome),
            });
            assert.equal(result.status, 200);
            assert.equal(result.attempts, 3);
            assert.deepEqual(outcomes, ["HTTP 503", "HTTP 502", "HTTP 200"]);
            assert.deepEqual(server.requests, [
                "/?lab-verify=x",
                "/?lab-verify=x",
                "/?lab-verify=x",
            ]);
        });
    });

    it("settles for the last error page at the deadline: the request still reached the app", async () => {
        await withServer([500], async (server) => {
            const result = await probeUntilAnswered(server.url, {
                ...quick,
                timeoutMs: 300,
                intervalMs: 100,
            });
            assert.equal(result.status, 500);
            assert.ok(result.attempts >= 2 && result.attempts <= 4, String(result.attempts));
        });
    });

    it("fails with what it tried when nothing answers", async () => {
        const url = await closedUrl();
        await assert.rejects(
            probeUntilAnswered(url, { ...quick, timeoutMs: 300, intervalMs: 100 }),
            (error: unknown) => {
                assert.ok(error instanceof NoAnswerError);
                assert.match(
                    error.message,
                    /no answer from http:\/\/127\.0\.0\.1:\d+\/ after \d attempt\(s\)/,
                );
                assert.match(error.message, /ECONNREFUSED/);
                return true;
            },
        );
    });
});
