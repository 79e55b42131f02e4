import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { whenBuilt } from "./background";

/** A `find` that reports the part missing `misses` times, then finds it. */
function appearsAfter(misses: number) {
    let calls = 0;
    return {
        find: () => {
            calls += 1;
            if (calls <= misses)
                throw new Error("calico-felix missing (run: npm run build:cluster)");
            return "the part";
        },
        calls: () => calls,
    };
}

describe("waiting for the background build", () => {
    it("asks again while the build runs, and says once what it waits for", async () => {
        const part = appearsAfter(2);
        const logged: string[] = [];
        const found = await whenBuilt(part.find, {
            pid: process.pid,
            pollMs: 1,
            log: (line) => logged.push(line),
        });
        assert.equal(found, "the part");
        assert.equal(part.calls(), 3);
        assert.deepEqual(logged, [
            `waiting for the background build (pid ${String(process.pid)}): calico-felix missing (run: npm run build:cluster)`,
        ]);
    });

    it("lets the missing part's error stand with no build, or once the build has ended", async () => {
        const ended = spawnSync("true").pid;
        for (const pid of [Number.NaN, ended]) {
            const part = appearsAfter(1);
            await assert.rejects(whenBuilt(part.find, { pid, pollMs: 1, log: () => undefined }), {
                message: /calico-felix missing \(run: npm run build:cluster\)/,
            });
            assert.equal(part.calls(), 1);
        }
    });
});
