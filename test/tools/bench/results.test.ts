import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    appendRun,
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

describe("per-Gbit/s math and latency statistics", () => {
    it("divides client + server vCPU by the throughput", () => {
        assert.equal(perGbps(0.5, 0.25, 1.5), 0.5);
        assert.throws(() => perGbps(1, 1, 0), /no throughput/);
    });
    it("takes nearest-rank percentiles", () => {
        const stats = latencyStats(Array.from({ length: 100 }, (_, i) => i + 1));
        assert.deepEqual(
            [stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.meanMs, stats.connections],
            [50, 90, 99, 50.5, 100],
        );
        assert.throws(() => latencyStats([]), /no connection-time samples/);
    });
});

describe("the results file", () => {
    it("starts with the first run and appends later ones", () => {
        const first = appendRun(undefined, run("a", "iptables", 1));
        const second = appendRun(JSON.stringify(first), run("b", "bpf", 0.7));
        assert.deepEqual(
            second.runs.map((r) => r.id),
            ["a", "b"],
        );
    });
    it("refuses a file of another kind, and a run recorded twice", () => {
        assert.throws(() => appendRun('{"runs": []}', run("a", "bpf", 1)), /not a version 1/);
        assert.throws(
            () =>
                appendRun(
                    JSON.stringify(appendRun(undefined, run("a", "bpf", 1))),
                    run("a", "bpf", 1),
                ),
            /already in the results file/,
        );
    });
});
