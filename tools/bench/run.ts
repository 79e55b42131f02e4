/** The benchmark's steps, against a small cluster interface (a recording fake in tests). */
import { field } from "../../core/unstructured";
import { pollUntil, type Clock } from "../cli/poll";
import { BenchError, POD_START_MS, type BenchCluster, type BenchOptions } from "./cluster";
import { calicoSnapshotFrom, liveDataplane } from "../kube/cluster-objects";
import { cpuBetween, lastSampleTime, parseCpuLog, type CpuLog } from "./cpu";
import { dataplaneSettingsOf, fingerprintOf } from "./fingerprint";
import { planSteps } from "./flows";
import { parseNics, podMtu, type Nic } from "./netinfo";
import {
    imageIds,
    namespace,
    namespaceName,
    nicPod,
    samplerPod,
    schedulableLinuxNodes,
    serverPod,
    serverService,
} from "./pods";
import type { BenchRun } from "./results";
import { proberAccess } from "./standing";
import { measurementsWithCpu, runStep, type Session } from "./steps";

/** Each sampler's latest sample time, on its node's clock; waits for the first samples. */
async function samplerTimes(cluster: BenchCluster, ns: string, clock: Clock) {
    const time = async (role: "client" | "server") =>
        lastSampleTime(parseCpuLog(await cluster.logs(ns, `sampler-${role}`, "sampler")));
    const polled = await pollUntil(
        async () => {
            const [client, server] = await Promise.all([time("client"), time("server")]);
            return client === undefined || server === undefined
                ? { done: false, pending: ["a first CPU sample from each sampler"] }
                : { done: true, value: { client, server } };
        },
        { timeoutMs: 30_000, intervalMs: 1000, clock },
    );
    if (polled.value === undefined)
        throw new BenchError("the CPU samplers printed no sample within 30 s");
    return polled.value;
}

/**
 * The NICs a host-network pod lists on `node`; empty (unknown) when the cluster refuses the pod
 * (Pod Security admission forbids host networking from level baseline on) or the pod fails.
 */
async function readNics(
    cluster: BenchCluster,
    runId: string,
    role: "client" | "server",
    node: string,
    progress: (line: string) => void,
): Promise<Nic[]> {
    const pod = nicPod(runId, role, node);
    try {
        await cluster.create(pod);
        const ns = namespaceName(runId);
        const finished = await cluster.waitForPod(ns, pod.metadata.name, "Finished", POD_START_MS);
        if (field(finished, "status", "phase") !== "Succeeded") throw new Error("the pod failed");
        return parseNics(await cluster.logs(ns, pod.metadata.name, "nics"));
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        progress(`could not list the ${role} node's NICs (${reason}): recorded as unknown`);
        return [];
    }
}

/** Runs the benchmark. Cleanup is the caller's (see `cleanUp`), so that Ctrl-C can do it too. */
export async function runBench(cluster: BenchCluster, options: BenchOptions): Promise<BenchRun> {
    const { progress, runId, clock } = options;
    const ns = namespaceName(runId);
    const environment = await cluster.environment();
    const nodes = schedulableLinuxNodes(environment.nodes);
    const [serverNode, clientNode] = nodes;
    if (serverNode === undefined || clientNode === undefined) {
        throw new BenchError(
            `the benchmark needs two schedulable Linux nodes, and the cluster has ${nodes.length}` +
                (nodes.length > 0 ? ` (${nodes.join(", ")})` : "") +
                ": raise nodeCount to 2 or more",
        );
    }
    const dataplane = liveDataplane(
        calicoSnapshotFrom({
            installation: environment.installation,
            felixConfiguration: environment.felixConfiguration,
            calicoNodeDaemonSet: undefined,
            tigeraStatus: undefined,
        }),
    );
    if (dataplane === undefined || dataplane === "switching") {
        throw new BenchError(
            "Calico is between dataplanes (or unreadable): let the switch finish, then run again",
        );
    }
    const stale = await cluster.benchNamespaces();
    if (stale.length > 0) {
        throw new BenchError(
            `namespace ${stale.join(", ")} of an earlier benchmark still exists, and its Services would load the dataplane: ` +
                `delete it (kubectl delete namespace ${stale.join(" ")}) and run again`,
        );
    }
    const kubernetesVersion = await cluster.serverVersion();
    const startedAt = new Date(clock.now()).toISOString();

    progress(`dataplane ${dataplane}; server on ${serverNode}, client on ${clientNode}`);
    await cluster.create(namespace(runId));
    for (const object of [
        serverPod(runId, serverNode),
        samplerPod(runId, "server", serverNode),
        samplerPod(runId, "client", clientNode),
        ...proberAccess(runId),
    ]) {
        await cluster.create(object);
    }
    const service = await cluster.create(serverService(runId));
    const serviceIp = field(service, "spec", "clusterIP");
    if (typeof serviceIp !== "string" || serviceIp === "" || serviceIp === "None")
        throw new BenchError("the server Service has no cluster IP");
    // Never rejects: read while the server and samplers start.
    const nicsRead = Promise.all([
        readNics(cluster, runId, "client", clientNode, progress),
        readNics(cluster, runId, "server", serverNode, progress),
    ]);
    progress("waiting for the server and the CPU samplers");
    const started = await Promise.all(
        ["server", "sampler-server", "sampler-client"].map((name) =>
            cluster.waitForPod(ns, name, "Running", POD_START_MS),
        ),
    );
    const podIp = field(started[0], "status", "podIP");
    if (typeof podIp !== "string") throw new BenchError("the server pod has no IP");

    const session: Session = {
        cluster,
        options,
        ns,
        clientNode,
        podIp,
        serviceIp,
        standing: 0,
        progress,
        record: { flows: [], programming: [], standing: [] },
    };
    const [clientNics, serverNics] = await nicsRead;

    progress(`measuring the idle baseline for ${options.durationSeconds} s`);
    const idleFrom = await samplerTimes(cluster, ns, clock);
    await clock.sleep(options.durationSeconds * 1000);
    const idleTo = await samplerTimes(cluster, ns, clock);

    const steps = planSteps(options.flows, options.services, options.repeat);
    for (const [index, step] of steps.entries()) {
        await runStep(session, step, `[${index + 1}/${steps.length}]`);
    }

    const logs = async (role: "client" | "server") =>
        cluster.logs(ns, `sampler-${role}`, "sampler");
    const [clientLog, serverLog] = await Promise.all([logs("client"), logs("server")]);
    const cpuLogs = { client: parseCpuLog(clientLog), server: parseCpuLog(serverLog) };
    const baseline = {
        client: cpu(cpuLogs.client, idleFrom.client, idleTo.client, "the client node at rest"),
        server: cpu(cpuLogs.server, idleFrom.server, idleTo.server, "the server node at rest"),
    };
    const measurements = measurementsWithCpu(
        session.record.flows,
        cpuLogs,
        baseline,
        (log, window, what) => cpu(log, window.start, window.end, what),
    );
    return {
        id: runId,
        startedAt,
        dataplane,
        dataplaneSettings: dataplaneSettingsOf(environment, dataplane),
        fingerprint: fingerprintOf({
            environment,
            kubernetesVersion,
            clientNode,
            serverNode,
            nics: { client: clientNics, server: serverNics },
            podMtu: podMtu(clientLog),
            // The server and samplers run both images; client pods run the same references.
            imageIds: started.flatMap(imageIds),
            method: {
                durationSeconds: options.durationSeconds,
                connections: options.connections,
                udpMbps: options.udpMbps,
            },
        }),
        options: { flows: options.flows, repeat: options.repeat, services: options.services },
        toolVersions: {
            iperf3: [
                ...new Set(measurements.flatMap((m) => ("iperf" in m ? [m.iperf.version] : []))),
            ],
            fortio: [
                ...new Set(measurements.flatMap((m) => ("fortio" in m ? [m.fortio.version] : []))),
            ],
        },
        baseline,
        measurements,
        programming: session.record.programming,
        standing: session.record.standing,
        cpuLogs,
    };
}

function cpu(log: CpuLog, from: number, to: number, what: string) {
    const use = cpuBetween(log, from, to);
    if (use === undefined) throw new BenchError(`the CPU samples do not cover ${what}`);
    return use;
}

/** How long the namespace may take to go: thousands of Services are deleted one by one. */
const NAMESPACE_DELETE_MS = 600_000;

/**
 * Deletes the run's namespace, and with it every pod, Service and slice, then waits until it is
 * gone, so that the next run starts without them; at the deadline it says what is left.
 */
export async function cleanUp(
    cluster: BenchCluster,
    runId: string,
    progress: (line: string) => void,
    clock: Clock,
): Promise<void> {
    const name = namespaceName(runId);
    progress(`deleting namespace ${name}`);
    await cluster.deleteNamespace(name);
    const polled = await pollUntil(
        async () =>
            (await cluster.namespaceExists(name))
                ? { done: false, pending: [`namespace ${name} is terminating`] }
                : { done: true, value: true },
        {
            timeoutMs: NAMESPACE_DELETE_MS,
            intervalMs: 2000,
            clock,
            onProgress: (pending, elapsedMs) => {
                if (pending.length > 0)
                    progress(`${pending.join("; ")} (${Math.round(elapsedMs / 1000)} s)`);
            },
        },
    );
    if (polled.value === undefined) {
        throw new BenchError(
            `namespace ${name} still exists ${NAMESPACE_DELETE_MS / 1000} s after its deletion: see kubectl get namespace ${name} -o yaml`,
        );
    }
}
