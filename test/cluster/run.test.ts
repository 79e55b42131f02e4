import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LINES } from "./lines";
import { UsageError } from "../../tools/cli/args";
import { inRunOrder, parseRunArgs, runExitCode } from "./run";
import { felixLines, parseBuildArgs } from "./toolchain/build";

describe("npm run test:cluster", () => {
    it("answers --help, and calls any argument a usage error naming it", () => {
        assert.equal(parseRunArgs([]), "run");
        assert.equal(parseRunArgs(["--help"]), "help");
        assert.equal(parseRunArgs(["-h"]), "help");
        assert.throws(
            () => parseRunArgs(["faults"]),
            (error: unknown) => {
                assert.ok(error instanceof UsageError);
                assert.match(
                    error.message,
                    /^test:cluster: unknown argument "faults" .*npm run test:cluster -- --help/,
                );
                return true;
            },
        );
    });

    it("runs the fault suite first, the other files by name", () => {
        assert.deepEqual(
            inRunOrder([
                "test/cluster/scenario/lab.cluster.test.ts",
                "test/cluster/harness/harness.cluster.test.ts",
                "test/cluster/faults/faults.cluster.test.ts",
                "test/cluster/operator/operator.cluster.test.ts",
            ]),
            [
                "test/cluster/faults/faults.cluster.test.ts",
                "test/cluster/harness/harness.cluster.test.ts",
                "test/cluster/operator/operator.cluster.test.ts",
                "test/cluster/scenario/lab.cluster.test.ts",
            ],
        );
    });

    it("builds the lines in the order the tier runs them, the fault suite's first line first", () => {
        assert.deepEqual(
            LINES.map((line) => line.calico),
            felixLines(),
        );
        assert.equal(LINES[0].ebpf, true);
    });

    it("fails when the tests fail, or when they pass and the background build failed", () => {
        assert.equal(runExitCode(0, undefined), 0);
        assert.equal(runExitCode(0, { code: 0, stopped: false }), 0);
        assert.equal(runExitCode(1, { code: 0, stopped: false }), 1);
        assert.equal(runExitCode(null, undefined), 1);
        assert.equal(runExitCode(0, { code: 1, stopped: false }), 1);
        // Stopped by the runner once the tests had ended: not a failure of the build.
        assert.equal(runExitCode(0, { code: null, stopped: true }), 0);
    });
});

describe("npm run build:cluster", () => {
    it("takes Calico lines with or without their v, and --help", () => {
        assert.deepEqual(parseBuildArgs([]), []);
        assert.deepEqual(parseBuildArgs(["3.30.7", "v3.31.2"]), ["v3.30.7", "v3.31.2"]);
        assert.equal(parseBuildArgs(["--help"]), "help");
        assert.throws(() => parseBuildArgs(["--all"]), {
            name: "UsageError",
            message: /^build:cluster: unknown option --all /,
        });
    });

    it("calls an unknown line a usage error naming it and the lines it builds", () => {
        assert.throws(
            () => parseBuildArgs(["3.29.0"]),
            (error: unknown) => {
                assert.ok(error instanceof UsageError);
                assert.match(
                    error.message,
                    /^build:cluster: unknown Calico line "3\.29\.0" \(lines: v3\.31\.7, v3\.30\.7, v3\.31\.2;/,
                );
                return true;
            },
        );
    });
});
