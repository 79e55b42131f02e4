import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HELP, UsageError } from "../../../tools/cli/args";
import { recordRun, parseBenchOptions } from "../../../tools/bench/bench";
import {
    latencyStats,
    perGbps,
    type BenchRun,
    type ThroughputResult,
} from "../../../tools/bench/results";

const flow = (
    name: ThroughputResult["flow"],
    gbps: number,
    clientVcpu: number,
    serverVcpu: number,
): ThroughputResult => ({
    flow: name,
    gbps,
    clientVcpu,
    serverVcpu,
    vcpuPerGbps: perGbps(clientVcpu, serverVcpu, gbps),
});

const run = (id: string, dataplane: "iptables" | "bpf", scale: number): BenchRun => ({
    id,
    startedAt: "2026-11-23T09:00:00.000Z",
    dataplane,
    clientNode: "aks-system-1",
    serverNode: "aks-system-0",
    vmSize: "Standard_D2s_v3",
    durationSeconds: 30,
    baselineVcpu: { client: 0.1, server: 0.1 },
    flows: [
        flow("p2p-tcp", 1.0, 0.5 * scale, 0.5 * scale),
        flow("p2p-udp", 0.8, 0.4 * scale, 0.4 * scale),
        flow("p2s-tcp", 1.0, 0.6 * scale, 0.6 * scale),
        flow("p2s-udp", 0.8, 0.5 * scale, 0.5 * scale),
    ],
    latency: latencyStats([0.4, 0.5, 0.6, 0.7].map((ms) => ms * scale)),
});

describe("recordRun", () => {
    it("writes the results, the Markdown comparison and the chart next to each other", () => {
        const dir = mkdtempSync(join(tmpdir(), "bench-"));
        const file = join(dir, "out", "results.json");
        recordRun(file, run("a", "iptables", 1));
        const { files } = recordRun(file, run("b", "bpf", 0.7));
        assert.deepEqual(files, [
            file,
            join(dir, "out", "comparison.md"),
            join(dir, "out", "comparison.svg"),
        ]);
        assert.equal(
            (JSON.parse(readFileSync(file, "utf8")) as { runs: unknown[] }).runs.length,
            2,
        );
        assert.match(readFileSync(join(dir, "out", "comparison.md"), "utf8"), /-30%/);
    });
});

describe("parseBenchOptions", () => {
    it("defaults to 30 s, every flow, the lab's stack and bench-results/", () => {
        const options = parseBenchOptions([], "/lab", {});
        assert.deepEqual(options, {
            durationSeconds: 30,
            flows: ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "latency"],
            connections: 200,
            json: false,
            stack: "dev",
            resultsFile: "/lab/bench-results/results.json",
        });
    });
    it("takes the kubeconfig from $LAB_KUBECONFIG with --kubeconfig-env", () => {
        const options = parseBenchOptions(["--kubeconfig-env"], "/lab", {});
        assert.ok(options !== HELP);
        assert.equal(options.kubeconfigEnv, true);
    });
    it("takes a subset of flows and refuses unknown ones and bad numbers", () => {
        const options = parseBenchOptions(
            ["--flows", "p2s-tcp,latency", "--duration", "10"],
            "/lab",
            {},
        );
        assert.ok(options !== HELP);
        assert.deepEqual(options.flows, ["p2s-tcp", "latency"]);
        assert.throws(() => parseBenchOptions(["--flows", "p2p-tcp,sctp"], "/lab", {}), /not sctp/);
        assert.throws(
            () => parseBenchOptions(["--duration", "0"], "/lab", {}),
            /--duration must be an integer from 1 to 600/,
        );
    });
    it("calls bad flags usage errors (exit 2) and answers --help", () => {
        for (const argv of [
            ["--flows", "foo"],
            ["--duration", "0"],
            ["--connections", "x"],
            ["--url", "http://x/"],
        ]) {
            assert.throws(() => parseBenchOptions(argv, "/lab", {}), UsageError, argv.join(" "));
        }
        assert.equal(parseBenchOptions(["--help"], "/lab", {}), HELP);
        const results = parseBenchOptions(["--results", "/tmp/r.json"], "/lab", {});
        assert.ok(results !== HELP);
        assert.equal(results.resultsFile, "/tmp/r.json");
    });
});
