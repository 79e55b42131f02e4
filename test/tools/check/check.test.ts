import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { npmScript, runChecks, type Check } from "../../../tools/check/check";

const node = (name: string, script: string): Check => ({
    name,
    command: process.execPath,
    args: ["-e", script],
});

describe("npm test's checks, side by side", () => {
    it("prints each check's output whole when it ends, and fails naming the check that failed", async () => {
        const written: string[] = [];
        const code = await runChecks(
            [
                node(
                    "slow",
                    "setTimeout(() => { console.log('slow one'); console.log('slow two'); }, 300)",
                ),
                node("broken", "console.error('broken: what went wrong'); process.exit(3)"),
            ],
            (text) => written.push(text),
        );
        assert.equal(code, 1);
        const text = written.join("");
        assert.match(text, /=== broken: FAILED \(3\) in [\d.]+ s\nbroken: what went wrong\n/);
        assert.match(text, /=== slow: passed in [\d.]+ s\nslow one\nslow two\n/);
        assert.ok(text.indexOf("=== broken") < text.indexOf("=== slow"), "in the order they end");
        assert.match(text, /\nslow: passed in [\d.]+ s\nbroken: FAILED \(3\) in [\d.]+ s\n$/);
    });

    it("passes when every check passes, and reports a command that cannot start", async () => {
        assert.equal(await runChecks([node("ok", "")], () => undefined), 0);
        const written: string[] = [];
        const missing = { name: "missing", command: "/nonexistent/tool", args: [] };
        assert.equal(await runChecks([missing], (text) => written.push(text)), 1);
        const text = written.join("");
        assert.equal(
            text.match(/=== missing: FAILED \(spawn \/nonexistent\/tool ENOENT\)/g)?.length,
            1,
        );
    });

    it("runs each check as an npm script, through the npm that started it", () => {
        assert.deepEqual(npmScript("lint", { npm_execpath: "/npm/bin/npm-cli.js" }), {
            name: "lint",
            command: process.execPath,
            args: ["/npm/bin/npm-cli.js", "run", "-s", "lint"],
        });
        assert.deepEqual(npmScript("lint", {}), {
            name: "lint",
            command: "npm",
            args: ["run", "-s", "lint"],
        });
    });
});
