import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../../support/paths";

const script = join(PROJECT_DIR, "tools", "cli", "node-version.cjs");
const { satisfies } = createRequire(__filename)(script) as {
    satisfies: (version: string, range: string) => boolean;
};

describe("the Node version check every npm script runs first", () => {
    it("compares major, minor and patch in turn", () => {
        assert.equal(satisfies("22.19.0", ">=22.19.0"), true);
        assert.equal(satisfies("v22.23.3", ">=22.19.0"), true);
        assert.equal(satisfies("24.0.0", ">=22.19.0"), true);
        assert.equal(satisfies("22.18.9", ">=22.19.0"), false);
        assert.equal(satisfies("20.20.2", ">=22.19.0"), false);
        assert.equal(satisfies("22.9.0", ">=22.19.0"), false);
        assert.equal(satisfies("22.19.0", "^22"), false);
    });

    it("passes quietly on this Node, and every script that runs code calls it", () => {
        const result = spawnSync(process.execPath, [script], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        const { scripts } = createRequire(__filename)(join(PROJECT_DIR, "package.json")) as {
            scripts: Record<string, string>;
        };
        for (const name of ["test", "verify", "bench", "lab"]) {
            assert.ok(
                scripts[name]?.startsWith("node tools/cli/node-version.cjs && "),
                `${name}: ${scripts[name] ?? ""}`,
            );
        }
    });
});
