/** The benchmark's steps, against a small cluster interface (a recording fake in tests). */
import type { Clock } from "../cli/poll";
import { field } from "../cli/json";
import { calicoSnapshotFrom, liveDataplane, type CalicoObjects } from "../kube/cluster-objects";
import { parseCpuLog, vcpuBetween, type CpuLog } from "./cpu";
import { parseIperf3 } from "./iperf";
import {
    iperfClientPod,
    latencyClientPod,
    namespace,
    namespaceName,
    samplerPod,
    schedulableLinuxNodes,
    serverPod,
    serverService,
    type KubeObject,
} from "./pods";
import {
    latencyStats,
    perGbps,
    type BenchRun,
    type Flow,
    type LatencyResult,
    type ThroughputFlowName,
    type ThroughputResult,
} from "./results";

export interface BenchCluster {
    nodes(): Promise<unknown[]>;
    calicoObjects(): Promise<CalicoObjects>;
    create(object: KubeObject): Promise<void>;
    /** Resolves with the pod once it is in `phase`; rejects on Failed or at the deadline. */
    waitForPod(
        namespace: string,
        name: string,
        phase: "Running" | "Succeeded",
        timeoutMs: number,
    ): Promise<unknown>;
    serviceClusterIp(namespace: string, name: string): Promise<string>;
    logs(namespace: string, pod: string, container: string): Promise<string>;
    deleteNamespace(name: string): Promise<void>;
}

export interface BenchOptions {
    readonly runId: string;
    readonly durationSeconds: number;
    readonly flows: readonly Flow[];
    readonly latencyConnections: number;
    readonly progress: (line: string) => void;
    /** Epoch milliseconds; the flows' windows and the samplers' clocks are compared in seconds. */
    readonly clock: Clock;
}

export class BenchError extends Error {
    override name = "BenchError";
}

const POD_START_MS = 180_000;

/** Runs the benchmark. Cleanup is the caller's (see `cleanUp`), so that Ctrl-C can do it too. */
export async function runBench(cluster: BenchCluster, options: BenchOptions): Promise<BenchRun> {
    const { progress, runId } = options;
    const ns = namespaceName(runId);
    const nodes = schedulableLinuxNodes(await cluster.nodes());
    const [server, client] = nodes;
    if (server === undefined || client === undefined) {
        throw new BenchError(
            `the benchmark needs two schedulable Linux nodes, and the cluster has ${nodes.length}` +
                (nodes.length > 0 ? ` (${nodes.map((n) => n.name).join(", ")})` : "") +
                ": raise nodeCount to 2 or more",
        );
    }
    const dataplane = liveDataplane(calicoSnapshotFrom(await cluster.calicoObjects()));
    if (dataplane === undefined || dataplane === "switching") {
        throw new BenchError(
            "Calico is between dataplanes (or unreadable): let the switch finish, then run again",
        );
    }

    progress(`dataplane ${dataplane}; server on ${server.name}, client on ${client.name}`);
    await cluster.create(namespace(runId));
    for (const object of [
        serverPod(runId, server.name),
        serverService(runId),
        samplerPod(runId, "server", server.name),
        samplerPod(runId, "client", client.name),
    ]) {
        await cluster.create(object);
    }
    progress("waiting for the server and the CPU samplers");
    const [serverObject] = await Promise.all([
        cluster.waitForPod(ns, "server", "Running", POD_START_MS),
        cluster.waitForPod(ns, "sampler-server", "Running", POD_START_MS),
        cluster.waitForPod(ns, "sampler-client", "Running", POD_START_MS),
    ]);
    const podIp = field(serverObject, "status", "podIP");
    if (typeof podIp !== "string") throw new BenchError("the server pod has no IP");
    const serviceIp = await cluster.serviceClusterIp(ns, "server");

    const seconds = () => options.clock.now() / 1000;
    progress(`measuring the idle baseline for ${options.durationSeconds}s`);
    const idle = { start: seconds() };
    await options.clock.sleep(options.durationSeconds * 1000);
    const idleWindow = { ...idle, end: seconds() };

    const measured: { flow: ThroughputFlowName; result: ReturnType<typeof parseIperf3> }[] = [];
    for (const flow of options.flows) {
        if (flow === "latency") continue;
        const target = flow.startsWith("p2p") ? podIp : serviceIp;
        progress(`${flow}: ${options.durationSeconds}s to ${target}`);
        const name = `client-${flow}`;
        await cluster.create(
            iperfClientPod(runId, flow, client.name, target, options.durationSeconds),
        );
        await cluster.waitForPod(
            ns,
            name,
            "Succeeded",
            POD_START_MS + options.durationSeconds * 1000,
        );
        measured.push({ flow, result: parseIperf3(await cluster.logs(ns, name, "iperf3")) });
    }

    let latency: LatencyResult | undefined;
    if (options.flows.includes("latency")) {
        progress(`latency: ${options.latencyConnections} TCP connections to the service`);
        await cluster.create(
            latencyClientPod(runId, client.name, serviceIp, options.latencyConnections),
        );
        await cluster.waitForPod(
            ns,
            "client-latency",
            "Succeeded",
            POD_START_MS + options.latencyConnections * 5000,
        );
        latency = parseLatency(await cluster.logs(ns, "client-latency", "probe"));
    }

    const cpu = {
        server: parseCpuLog(await cluster.logs(ns, "sampler-server", "sampler")),
        client: parseCpuLog(await cluster.logs(ns, "sampler-client", "sampler")),
    };
    const baseline = {
        server: vcpu(cpu.server, idleWindow, "the idle baseline on the server node"),
        client: vcpu(cpu.client, idleWindow, "the idle baseline on the client node"),
    };
    const flows: ThroughputResult[] = measured.map(({ flow, result }) => {
        const clientVcpu = Math.max(
            0,
            vcpu(cpu.client, result, `${flow} on the client node`) - baseline.client,
        );
        const serverVcpu = Math.max(
            0,
            vcpu(cpu.server, result, `${flow} on the server node`) - baseline.server,
        );
        return {
            flow,
            gbps: result.gbps,
            ...(result.retransmits === undefined ? {} : { retransmits: result.retransmits }),
            ...(result.lossPercent === undefined
                ? {}
                : { lossPercent: result.lossPercent, jitterMs: result.jitterMs ?? 0 }),
            clientVcpu,
            serverVcpu,
            vcpuPerGbps: perGbps(clientVcpu, serverVcpu, result.gbps),
        };
    });
    return {
        id: runId,
        startedAt: new Date(idle.start * 1000).toISOString(),
        dataplane,
        clientNode: client.name,
        serverNode: server.name,
        vmSize: client.vmSize,
        durationSeconds: options.durationSeconds,
        baselineVcpu: baseline,
        flows,
        ...(latency === undefined ? {} : { latency }),
    };
}

function vcpu(log: CpuLog, window: { start: number; end: number }, what: string): number {
    const value = vcpuBetween(log, window.start, window.end);
    if (value === undefined) throw new BenchError(`the CPU samples do not cover ${what}`);
    return value;
}

function parseLatency(text: string): LatencyResult {
    const report = JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as {
        samples?: number[];
        error?: string;
    };
    if (report.error !== undefined)
        throw new BenchError(`the connection-time probe failed: ${report.error}`);
    return latencyStats(report.samples ?? []);
}

/** Deletes the run's namespace, and with it every pod and the Service. */
export async function cleanUp(
    cluster: BenchCluster,
    runId: string,
    progress: (line: string) => void,
): Promise<void> {
    progress(`deleting namespace ${namespaceName(runId)}`);
    await cluster.deleteNamespace(namespaceName(runId));
}
