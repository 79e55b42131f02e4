import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import semver from "semver";
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

describe("npm ci on an older Node", () => {
    it("refuses at once (engine-strict) rather than warn once per dependency, and no locked dependency blocks the Node the project needs", () => {
        const npmrc = readFileSync(join(PROJECT_DIR, ".npmrc"), "utf8");
        assert.match(npmrc, /^engine-strict=true$/m);
        const lock = JSON.parse(readFileSync(join(PROJECT_DIR, "package-lock.json"), "utf8")) as {
            packages: Record<string, { engines?: { node?: string } }>;
        };
        const { engines } = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as {
            engines: { node: string };
        };
        const oldest = semver.minVersion(engines.node)?.version ?? "";
        const blocking = Object.entries(lock.packages).filter(
            ([, entry]) =>
                entry.engines?.node !== undefined &&
                !semver.satisfies(oldest, entry.engines.node, { includePrerelease: true }),
        );
        assert.deepEqual(
            blocking.map(([name, entry]) => `${name} ${entry.engines?.node ?? ""}`),
            [],
        );
    });
});
