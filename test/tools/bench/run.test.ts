import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import { BenchError, type BenchCluster, type BenchOptions } from "../../../tools/bench/cluster";
import type { KubeObject } from "../../../tools/bench/pods";
import { cleanUp, runBench } from "../../../tools/bench/run";
import { STANDING_CONCURRENCY } from "../../../tools/bench/steps";
import type { EnvironmentObjects } from "../../../tools/kube/environment";
import { fakeClock } from "../../support/clock";
import { syntheticCpuLog } from "../../support/bench";
import { fixtureText, bpfClusterObjects, environmentObjectsOf } from "../../support/fixtures";

/** The nodes' clock runs an hour ahead of the workstation's: the run must not mix the two. */
const NODE_CLOCK_OFFSET_S = 3600;
const START_MS = 1_795_423_000_000;

function readyEnvironment(): EnvironmentObjects {
    const environment = environmentObjectsOf(bpfClusterObjects());
    const nodes = (environment.nodes as { status: Record<string, unknown> }[]).map((n) => ({
        ...n,
        status: { ...n.status, conditions: [{ type: "Ready", status: "True" }] },
    }));
    return { ...environment, nodes };
}

const NIC_LOG =
    "nic azv1 1500\nnic enP30832s1 1500 mlx5_core\nnic eth0 1500 hv_netvsc\nnic lo 65536\n";

/** Rewrites a recorded report to start at `nodeSeconds` on the client node's clock. */
function reportAt(pod: string, nodeSeconds: number): string {
    if (pod.startsWith("rr-") || pod.startsWith("crr-")) {
        const report = JSON.parse(
            fixtureText(pod.startsWith("rr-") ? "bench-fortio-rr.json" : "bench-fortio-crr.json"),
        ) as Record<string, unknown>;
        report["StartTime"] = new Date(nodeSeconds * 1000).toISOString();
        report["ActualDuration"] = 10e9;
        return JSON.stringify(report, null, 2);
    }
    // UDP from the iperf 3.9 fixture (sender-side only), TCP from the 3.12 one.
    const file = pod.includes("udp") ? "bench-iperf3-3.9-udp.json" : "iperf3-tcp.json";
    const report = JSON.parse(fixtureText(file)) as {
        start: { timestamp: { timesecs: number }; test_start: { omit: number; duration: number } };
    };
    report.start.timestamp.timesecs = nodeSeconds;
    report.start.test_start.omit = 1;
    report.start.test_start.duration = 10;
    return JSON.stringify(report, null, 4);
}

/** A cluster that answers like the API server would and records every call it receives. */
class RecordingCluster implements BenchCluster {
    readonly calls: string[] = [];
    readonly created: KubeObject[] = [];
    readonly clock = fakeClock(START_MS);
    /** Node-clock intervals in which a flow ran. */
    readonly busy: { start: number; end: number }[] = [];
    private readonly startedAt = new Map<string, number>();
    inFlight = 0;
    mostInFlight = 0;
    namespaceChecks = 0;
    failures: Partial<Record<string, string>> = {};
    throttleOnce = new Set<string>();
    /** Sampler log reads that see no sample yet (a sampler that has only just started). */
    emptySamplerReads = 0;

    constructor(
        private readonly environmentObjects: EnvironmentObjects = readyEnvironment(),
        private readonly stale: string[] = [],
        private readonly namespaceLingers = 2,
    ) {}

    private nodeNow() {
        return this.clock.now() / 1000 + NODE_CLOCK_OFFSET_S;
    }
    environment() {
        this.calls.push("environment");
        return Promise.resolve(this.environmentObjects);
    }
    serverVersion() {
        this.calls.push("serverVersion");
        return Promise.resolve("v1.36.2");
    }
    benchNamespaces() {
        this.calls.push("benchNamespaces");
        return Promise.resolve(this.stale);
    }
    async create(object: KubeObject) {
        const standing = object.metadata.name.startsWith("standing-");
        if (!standing) this.calls.push(`create ${object.kind} ${object.metadata.name}`);
        this.inFlight++;
        this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
        await tick();
        this.inFlight--;
        if (this.throttleOnce.delete(object.metadata.name))
            throw Object.assign(new Error("Too Many Requests"), { code: 429 });
        this.created.push(object);
        if (object.kind === "Pod") this.startedAt.set(object.metadata.name, this.nodeNow());
        if (object.kind !== "Service") return object;
        const ip =
            object.metadata.name === "server" ? "10.0.88.1" : `10.0.9.${this.created.length % 250}`;
        return { ...object, spec: { ...(object.spec as object), clusterIP: ip } };
    }
    async waitForPod(_ns: string, name: string, until: string) {
        this.calls.push(`wait ${name} ${until}`);
        if (until === "Finished" && /^(p2|rr|crr)/.test(name)) {
            // The flow runs: one omitted second, then 10 s measured, on the node's clock.
            const start = this.nodeNow() + 1;
            this.busy.push({ start, end: start + 10 });
            await this.clock.sleep(11_000);
        }
        const failed = name.startsWith("nics-") && this.failures[name] !== undefined;
        return {
            status: {
                phase: until === "Running" ? "Running" : failed ? "Failed" : "Succeeded",
                podIP: "10.224.0.50",
                containerStatuses: [
                    { imageID: `example.io/${name.split("-")[0] ?? ""}@sha256:0001` },
                ],
            },
        };
    }
    logs(_ns: string, pod: string) {
        this.calls.push(`logs ${pod}`);
        const failure = this.failures[pod];
        if (failure !== undefined) return Promise.resolve(failure);
        if (pod.startsWith("sampler-") && this.emptySamplerReads > 0) {
            this.emptySamplerReads--;
            return Promise.resolve("cpus 2\nmtu 1500\n");
        }
        if (pod.startsWith("sampler-")) {
            const now = Math.floor(this.nodeNow());
            const during = (t: number) => this.busy.some((b) => t >= b.start && t < b.end);
            return Promise.resolve(
                syntheticCpuLog(2, START_MS / 1000 + NODE_CLOCK_OFFSET_S - 100, now, (t) =>
                    during(t) ? 150 : 50,
                ),
            );
        }
        if (pod.startsWith("nics-")) return Promise.resolve(NIC_LOG);
        if (pod.startsWith("probe-")) return Promise.resolve("programmed 1000 1012 1420 17\n");
        return Promise.resolve(reportAt(pod, (this.startedAt.get(pod) ?? 0) + 0));
    }
    deleteNamespace(name: string) {
        this.calls.push(`deleteNamespace ${name}`);
        return Promise.resolve();
    }
    namespaceExists(name: string) {
        this.calls.push(`namespaceExists ${name}`);
        return Promise.resolve(++this.namespaceChecks <= this.namespaceLingers);
    }
}

const options = (
    cluster: RecordingCluster,
    overrides: Partial<BenchOptions> = {},
): BenchOptions => ({
    runId: "abcd1234",
    durationSeconds: 10,
    flows: ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "rr", "crr"],
    repeat: 2,
    services: [0, 40],
    connections: 4,
    udpMbps: 500,
    progress: () => undefined,
    clock: cluster.clock,
    ...overrides,
});

describe("runBench against a recording cluster", () => {
    it("checks the cluster, sets up, then runs the plan: probes and interleaved flows per count of Services", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(cluster, options(cluster));
        assert.deepEqual(cluster.calls.slice(0, 12), [
            "environment",
            "benchNamespaces",
            "serverVersion",
            "create Namespace lab-bench-abcd1234",
            "create Pod server",
            "create Pod sampler-server",
            "create Pod sampler-client",
            "create ServiceAccount prober",
            "create Role prober",
            "create RoleBinding prober",
            "create Service server",
            "create Pod nics-client",
        ]);
        const measured = cluster.created
            .filter((o) => o.kind === "Pod" && /^(p2|rr|crr|probe)/.test(o.metadata.name))
            .map((o) => o.metadata.name);
        assert.deepEqual(measured, [
            ...[1, 2].flatMap((r) => [
                `probe-sentinel-n0-r${r}`,
                ...["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "rr", "crr"].map(
                    (f) => `${f}-n0-r${r}`,
                ),
            ]),
            "probe-sentinel-n40-r1",
            "crr-n40-r1",
            "probe-sentinel-n40-r2",
            "crr-n40-r2",
        ]);
        assert.equal(run.measurements.length, 14);
        assert.deepEqual(
            run.programming.map((p) => [p.services, p.repetition, p.programmedMs]),
            [
                [0, 1, 420],
                [0, 2, 420],
                [40, 1, 420],
                [40, 2, 420],
            ],
        );
        assert.equal(run.dataplane, "bpf");
        assert.deepEqual(run.options, {
            flows: options(cluster).flows,
            repeat: 2,
            services: [0, 40],
        });
    });

    it("creates the standing Services with their slices, a bounded number at a time", async () => {
        const cluster = new RecordingCluster();
        cluster.throttleOnce.add("standing-7");
        const run = await runBench(cluster, options(cluster, { flows: ["crr"], repeat: 1 }));
        const standing = cluster.created.filter((o) => o.metadata.name.startsWith("standing-"));
        assert.equal(standing.filter((o) => o.kind === "Service").length, 40);
        assert.equal(standing.filter((o) => o.kind === "EndpointSlice").length, 40);
        assert.ok(
            cluster.mostInFlight <= STANDING_CONCURRENCY && cluster.mostInFlight > 1,
            String(cluster.mostInFlight),
        );
        assert.ok(
            cluster.clock.sleeps.includes(1000),
            "the throttled create was retried after a pause",
        );
        assert.deepEqual(
            run.standing.map((s) => s.services),
            [40],
        );
    });

    it("takes the idle baseline from the samplers' own clocks, an hour off the workstation's", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(
            cluster,
            options(cluster, { flows: ["p2p-tcp", "p2s-udp"], services: [0], repeat: 1 }),
        );
        // 50 of 200 jiffies a second at rest: 0.5 vCPU per node.
        assert.ok(Math.abs(run.baseline.client.busy - 0.5) < 1e-9);
        const tcp = run.measurements.find((m) => m.flow === "p2p-tcp");
        assert.ok(tcp !== undefined && "iperf" in tcp);
        // 150 jiffies a second during the flow: 1 vCPU above the baseline on each node.
        assert.ok(Math.abs(tcp.clientCpu.busy - 1) < 1e-9);
        assert.ok(Math.abs(tcp.vcpuPerGbps - 2 / tcp.iperf.gbps) < 1e-9);
    });

    it("waits for the samplers' first samples before opening the baseline window", async () => {
        const cluster = new RecordingCluster();
        cluster.emptySamplerReads = 2;
        const run = await runBench(
            cluster,
            options(cluster, { flows: ["rr"], services: [0], repeat: 1 }),
        );
        assert.deepEqual(cluster.clock.sleeps.slice(0, 2), [1000, 10_000]);
        assert.ok(Math.abs(run.baseline.server.busy - 0.5) < 1e-9);
    });

    it("records UDP as received, estimated from iperf 3.9's sender figure and loss", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(
            cluster,
            options(cluster, { flows: ["p2s-udp"], services: [0], repeat: 1 }),
        );
        const udp = run.measurements[0];
        assert.ok(udp !== undefined && "iperf" in udp);
        assert.equal(udp.iperf.estimated, true);
        assert.ok(Math.abs(udp.iperf.gbps - 0.94999) < 0.0001);
        assert.deepEqual(run.toolVersions.iperf3, ["iperf 3.9"]);
    });

    it("fingerprints the run: versions, node pair, NICs, pod MTU, image digests, method", async () => {
        const cluster = new RecordingCluster();
        const run = await runBench(
            cluster,
            options(cluster, { flows: ["rr"], services: [0], repeat: 1 }),
        );
        const { fingerprint } = run;
        assert.equal(fingerprint.kubernetesVersion, "v1.36.2");
        assert.equal(fingerprint.server.name, "aks-system-12345678-vmss000000");
        assert.equal(fingerprint.client.name, "aks-system-12345678-vmss000001");
        assert.equal(fingerprint.client.acceleratedNetworking, true);
        assert.equal(fingerprint.podMtu, 1500);
        // From the pods every run has (server and samplers), so that the flows chosen do not change it.
        assert.deepEqual(fingerprint.imageIds, [
            "example.io/sampler@sha256:0001",
            "example.io/server@sha256:0001",
        ]);
        assert.deepEqual(fingerprint.method, { durationSeconds: 10, connections: 4, udpMbps: 500 });
        assert.deepEqual(run.dataplaneSettings, {
            dataplane: "bpf",
            nftablesMode: "Disabled",
            bpfKubeProxyMinSyncPeriod: undefined,
        });
        assert.deepEqual(run.toolVersions.fortio, ["1.75.3"]);
    });

    it("records the NICs as unknown when the host-network pod fails, and goes on", async () => {
        const cluster = new RecordingCluster();
        cluster.failures["nics-client"] = "permission denied";
        const lines: string[] = [];
        const run = await runBench(
            cluster,
            options(cluster, {
                flows: ["rr"],
                services: [0],
                repeat: 1,
                progress: (l) => lines.push(l),
            }),
        );
        assert.equal(run.fingerprint.client.acceleratedNetworking, undefined);
        assert.equal(run.fingerprint.server.acceleratedNetworking, true);
        assert.ok(
            lines.some((l) => /could not list the client node's NICs/.test(l)),
            lines.join("\n"),
        );
    });

    it("names the measurement that failed, with what its tool said", async () => {
        const cluster = new RecordingCluster();
        cluster.failures["crr-n0-r1"] =
            "Aborting because of dial tcp 10.0.88.1:8080: connect: connection refused";
        await assert.rejects(
            runBench(cluster, options(cluster, { flows: ["crr"], services: [0], repeat: 1 })),
            (error: unknown) =>
                error instanceof BenchError &&
                /^crr-n0-r1: fortio printed no JSON report: .*connection refused/.test(
                    error.message,
                ),
        );
        const probing = new RecordingCluster();
        probing.failures["probe-sentinel-n0-r1"] =
            "error: creating the EndpointSlice answered HTTP 403: forbidden";
        await assert.rejects(
            runBench(probing, options(probing, { flows: ["crr"], services: [0], repeat: 1 })),
            /the programming probe failed: creating the EndpointSlice answered HTTP 403/,
        );
    });

    it("refuses to run beside an earlier run's namespace, whose Services would load the dataplane", async () => {
        const cluster = new RecordingCluster(undefined, ["lab-bench-0ld0ld00"]);
        await assert.rejects(runBench(cluster, options(cluster)), (error: unknown) => {
            assert.ok(error instanceof BenchError);
            assert.match(error.message, /kubectl delete namespace lab-bench-0ld0ld00/);
            return true;
        });
        assert.ok(!cluster.calls.some((c) => c.startsWith("create")));
    });

    it("refuses fewer than two schedulable Linux nodes, and Calico between dataplanes", async () => {
        const environment = readyEnvironment();
        const one = new RecordingCluster({ ...environment, nodes: environment.nodes.slice(0, 1) });
        await assert.rejects(
            runBench(one, options(one)),
            /needs two schedulable Linux nodes, and the cluster has 1 \(aks-system-12345678-vmss000000\): raise nodeCount/,
        );
        const switching = new RecordingCluster({
            ...environment,
            felixConfiguration: { spec: { bpfEnabled: false } },
        });
        await assert.rejects(runBench(switching, options(switching)), /between dataplanes/);
    });
});

describe("cleanUp", () => {
    it("deletes the namespace and waits until it is gone", async () => {
        const cluster = new RecordingCluster(undefined, [], 2);
        await cleanUp(cluster, "abcd1234", () => undefined, cluster.clock);
        assert.deepEqual(cluster.calls, [
            "deleteNamespace lab-bench-abcd1234",
            "namespaceExists lab-bench-abcd1234",
            "namespaceExists lab-bench-abcd1234",
            "namespaceExists lab-bench-abcd1234",
        ]);
        assert.deepEqual(cluster.clock.sleeps, [2000, 2000]);
    });

    it("gives up at a deadline, saying the namespace is still there", async () => {
        const cluster = new RecordingCluster(undefined, [], Number.POSITIVE_INFINITY);
        await assert.rejects(
            cleanUp(cluster, "abcd1234", () => undefined, cluster.clock),
            /namespace lab-bench-abcd1234 still exists 600 s after its deletion/,
        );
        assert.ok(cluster.clock.time() - START_MS <= 600_000);
    });
});
