import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeClock } from "../../support/clock";
import type { CalicoObjects } from "../../../tools/kube/cluster-objects";
import { parseIperf3 } from "../../../tools/bench/iperf";
import { type KubeObject } from "../../../tools/bench/pods";
import { BenchError, cleanUp, runBench, type BenchCluster } from "../../../tools/bench/run";
import { syntheticCpuLog } from "../../support/bench";
import { bpfClusterObjects, fixtureText } from "../../support/fixtures";

/** Nodes as the API returns them, Ready and schedulable unless told otherwise. */
const node = (name: string, extra: Record<string, unknown> = {}) => ({
    metadata: {
        name,
        labels: {
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": "Standard_D2s_v3",
        },
    },
    status: { conditions: [{ type: "Ready", status: "True" }] },
    ...extra,
});

const tcp = parseIperf3(fixtureText("iperf3-tcp.json"));
const udp = parseIperf3(fixtureText("iperf3-udp.json"));
const busyDuringFlows = (t: number) =>
    (t >= tcp.start && t < tcp.end) || (t >= udp.start && t < udp.end) ? 150 : 50;

/** A cluster that answers from recordings and records every call it receives. */
class RecordingCluster implements BenchCluster {
    readonly calls: string[] = [];
    readonly created: KubeObject[] = [];
    constructor(
        private readonly nodeList: unknown[] = [node("aks-system-0"), node("aks-system-1")],
        private readonly calico: CalicoObjects = bpfClusterObjects(),
    ) {}
    nodes() {
        this.calls.push("nodes");
        return Promise.resolve(this.nodeList);
    }
    calicoObjects() {
        this.calls.push("calicoObjects");
        return Promise.resolve(this.calico);
    }
    create(object: KubeObject) {
        this.calls.push(`create ${object.kind} ${object.metadata.name}`);
        this.created.push(object);
        return Promise.resolve();
    }
    waitForPod(_ns: string, name: string, phase: string) {
        this.calls.push(`wait ${name} ${phase}`);
        return Promise.resolve({ status: { phase, podIP: "10.224.0.50" } });
    }
    serviceClusterIp() {
        this.calls.push("serviceClusterIp");
        return Promise.resolve("10.0.88.1");
    }
    logs(_ns: string, pod: string) {
        this.calls.push(`logs ${pod}`);
        if (pod === "client-latency") return Promise.resolve('{"samples":[0.5,0.6,0.7,2.5]}\n');
        if (pod.startsWith("client-"))
            return Promise.resolve(
                fixtureText(pod.endsWith("udp") ? "iperf3-udp.json" : "iperf3-tcp.json"),
            );
        // The idle baseline is measured just before the recorded flows; see the fake clock below.
        return Promise.resolve(syntheticCpuLog(2, tcp.start - 100, udp.end + 100, busyDuringFlows));
    }
    deleteNamespace(name: string) {
        this.calls.push(`deleteNamespace ${name}`);
        return Promise.resolve();
    }
}

const options = (overrides: Partial<Parameters<typeof runBench>[1]> = {}) => {
    // The baseline window is [clock, clock + duration]; start it well before the recorded flows.
    const clock = fakeClock((tcp.start - 60) * 1000);
    return {
        runId: "abcd1234",
        durationSeconds: 10,
        flows: ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "latency"] as const,
        latencyConnections: 4,
        progress: () => undefined,
        clock,
        ...overrides,
    };
};

describe("runBench against a recording cluster", () => {
    it("sets up, measures every flow in turn, then reads the CPU samples", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(cluster, options());
        assert.deepEqual(cluster.calls, [
            "nodes",
            "calicoObjects",
            "create Namespace lab-bench-abcd1234",
            "create Pod server",
            "create Service server",
            "create Pod sampler-server",
            "create Pod sampler-client",
            "wait server Running",
            "wait sampler-server Running",
            "wait sampler-client Running",
            "serviceClusterIp",
            ...["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp"].flatMap((f) => [
                `create Pod client-${f}`,
                `wait client-${f} Succeeded`,
                `logs client-${f}`,
            ]),
            "create Pod client-latency",
            "wait client-latency Succeeded",
            "logs client-latency",
            "logs sampler-server",
            "logs sampler-client",
        ]);
        assert.equal(run.dataplane, "bpf");
        assert.equal(run.serverNode, "aks-system-0");
        assert.equal(run.clientNode, "aks-system-1");
        assert.equal(run.vmSize, "Standard_D2s_v3");
        assert.deepEqual(run.baselineVcpu, { client: 0.5, server: 0.5 });
        const p2p = run.flows.find((f) => f.flow === "p2p-tcp");
        assert.ok(Math.abs((p2p?.clientVcpu ?? 0) - 1) < 1e-9);
        assert.ok(Math.abs((p2p?.vcpuPerGbps ?? 0) - 2 / tcp.gbps) < 1e-9);
        assert.equal(p2p?.retransmits, 3);
        assert.ok((run.flows.find((f) => f.flow === "p2s-udp")?.lossPercent ?? 0) > 7);
        assert.equal(run.latency?.p99Ms, 2.5);
    });

    it("aims pod-to-pod flows at the server pod and pod-to-service flows at the Service", async () => {
        const cluster = new RecordingCluster();
        await runBench(cluster, options());
        const target = (name: string) => {
            const pod = cluster.created.find((o) => o.metadata.name === name) as unknown as {
                spec: { containers: { args?: string[]; command?: string[] }[] };
            };
            const container = pod.spec.containers[0];
            return (container?.args ?? container?.command ?? []).join(" ");
        };
        assert.match(target("client-p2p-tcp"), /^iperf3 -c 10\.224\.0\.50 -p 5201 -O 1 -t 10 -J$/);
        assert.match(
            target("client-p2s-udp"),
            /^iperf3 -c 10\.0\.88\.1 -p 5201 -u -b 0 -O 1 -t 10 -J$/,
        );
        assert.match(target("client-latency"), / 10\.0\.88\.1 8080 4$/);
    });

    it("runs only the flows asked for", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(cluster, options({ flows: ["p2s-tcp"] }));
        assert.deepEqual(
            run.flows.map((f) => f.flow),
            ["p2s-tcp"],
        );
        assert.equal(run.latency, undefined);
        assert.ok(!cluster.calls.includes("create Pod client-latency"));
    });

    it("refuses to run with fewer than two schedulable Linux nodes, saying so", async () => {
        const nodes = [
            node("aks-system-0"),
            node("aks-system-1", { spec: { unschedulable: true } }),
            node("npwin000000", {
                metadata: { name: "npwin000000", labels: { "kubernetes.io/os": "windows" } },
            }),
            node("aks-system-2", { status: { conditions: [{ type: "Ready", status: "False" }] } }),
            node("aks-system-3", { spec: { taints: [{ key: "x", effect: "NoSchedule" }] } }),
        ];
        const cluster = new RecordingCluster(nodes);
        await assert.rejects(runBench(cluster, options()), (error: unknown) => {
            assert.ok(error instanceof BenchError);
            assert.equal(
                error.message,
                "the benchmark needs two schedulable Linux nodes, and the cluster has 1 (aks-system-0): raise nodeCount to 2 or more",
            );
            return true;
        });
        assert.deepEqual(cluster.calls, ["nodes"]);
    });

    it("refuses to run while Calico is between dataplanes", async () => {
        const calico = {
            ...bpfClusterObjects(),
            felixConfiguration: { spec: { bpfEnabled: false } },
        };
        await assert.rejects(
            runBench(new RecordingCluster(undefined, calico), options()),
            /between dataplanes/,
        );
    });

    it("cleans up by deleting the run's namespace", async () => {
        const cluster = new RecordingCluster();
        await cleanUp(cluster, "abcd1234", () => undefined);
        assert.deepEqual(cluster.calls, ["deleteNamespace lab-bench-abcd1234"]);
    });
});
