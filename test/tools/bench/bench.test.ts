import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HELP, UsageError } from "../../../tools/cli/args";
import { loadResults, recordRun } from "../../../tools/bench/bench";
import { parseBenchOptions } from "../../../tools/bench/options";
import { fakeRun } from "../../support/bench";
import { scratchDir } from "../../support/scratch";

describe("parseBenchOptions", () => {
    it("defaults to 3 interleaved repetitions, no standing Services, every flow, 30 s", () => {
        assert.deepEqual(parseBenchOptions([], "/lab", {}), {
            durationSeconds: 30,
            flows: ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "rr", "crr"],
            repeat: 3,
            services: [0],
            connections: 4,
            udpMbps: 500,
            json: false,
            stack: "dev",
            resultsFile: "/lab/bench-results/results.json",
        });
    });

    it('refuses --stack "" at once, not at the first Pulumi call', () => {
        assert.throws(
            () => parseBenchOptions(["--stack", ""], "/lab", {}),
            /^UsageError: --stack must be a stack name \(1 to 100 letters, digits, "-", "_" or "."\), not ""$/,
        );
    });

    it("takes the kubeconfig from $LAB_KUBECONFIG with --kubeconfig-env", () => {
        const options = parseBenchOptions(["--kubeconfig-env"], "/lab", {});
        assert.ok(options !== HELP);
        assert.equal(options.kubeconfigEnv, true);
    });

    it("takes --repeat and a --services list, sorted and without duplicates", () => {
        const options = parseBenchOptions(
            ["--repeat", "5", "--services", "5000,0,1000,1000", "--flows", "crr,p2p-tcp"],
            "/lab",
            {},
        );
        assert.ok(options !== HELP);
        assert.equal(options.repeat, 5);
        assert.deepEqual(options.services, [0, 1000, 5000]);
        assert.deepEqual(options.flows, ["p2p-tcp", "crr"]);
    });

    it("calls bad values usage errors (exit 2) naming the option, and answers --help", () => {
        for (const [argv, message] of [
            [["--repeat", "0"], /--repeat must be an integer from 1 to 50, not "0"/],
            [["--services", "0,lots"], /--services takes counts from 0 to 30000 .* not "lots"/],
            [["--services", "40000"], /not "40000"/],
            [["--services", ""], /--services takes counts/],
            [["--flows", "p2p-tcp,sctp"], /not sctp/],
            [["--duration", "0"], /--duration must be an integer from 1 to 600/],
            [["--connections", "x"], /--connections must be an integer/],
            [["--udp-mbps", "-1"], /--udp-mbps/],
            [["--url", "http://x/"], /url/],
        ] as const) {
            assert.throws(
                () => parseBenchOptions(argv, "/lab", {}),
                (error: unknown) => {
                    assert.ok(error instanceof UsageError, argv.join(" "));
                    assert.match(error.message, message);
                    return true;
                },
            );
        }
        assert.equal(parseBenchOptions(["--help"], "/lab", {}), HELP);
    });
});

describe("recording a run", () => {
    it("writes the results, the Markdown comparison and the chart next to each other", () => {
        const dir = scratchDir("bench-");
        const file = join(dir, "out", "results.json");
        const first = recordRun(
            file,
            loadResults(file),
            fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1, 1.1, 1.2] }),
        );
        assert.deepEqual(first.files, [
            file,
            join(dir, "out", "comparison.md"),
            join(dir, "out", "comparison.svg"),
        ]);
        recordRun(
            file,
            loadResults(file),
            fakeRun({ id: "b", dataplane: "bpf", vcpuPerGbps: [0.7, 0.75, 0.8] }),
        );
        assert.deepEqual(
            loadResults(file).runs.map((r) => r.id),
            ["a", "b"],
        );
        assert.match(
            readFileSync(join(dir, "out", "comparison.md"), "utf8"),
            /−32% \(ranges apart/,
        );
        assert.match(readFileSync(join(dir, "out", "comparison.svg"), "utf8"), /^<svg /);
    });

    it("refuses an old results file before anything is measured, as a usage error", () => {
        const dir = scratchDir("bench-");
        const file = join(dir, "results.json");
        writeFileSync(file, '{"version": 1, "runs": []}');
        assert.throws(
            () => loadResults(file),
            (error: unknown) => error instanceof UsageError && /version 1/.test(error.message),
        );
    });
});
