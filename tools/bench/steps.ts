/** One step of a run: standing Services, a programming probe, or one flow's measurement. */
import { field } from "../../core/unstructured";
import { forEachBounded, withRetry } from "./batch";
import { BenchError, POD_START_MS, type BenchCluster, type BenchOptions } from "./cluster";
import { aboveBaseline, type CpuLog, type CpuUse } from "./cpu";
import { FLOW_TITLE, isThroughputFlow, type Step } from "./flows";
import { parseFortio } from "./fortio";
import { parseIperf3 } from "./iperf";
import { fortioClientPod, iperfClientPod } from "./pods";
import type {
    Measurement,
    ProgrammingMeasurement,
    RequestMeasurement,
    ThroughputMeasurement,
} from "./results";
import {
    PROBER,
    parseProberLog,
    proberPod,
    sentinelName,
    serviceWithoutSelector,
    standingObjects,
} from "./standing";
import { figure } from "./format";

type Unmeasured<M> = Omit<M, "clientCpu" | "serverCpu" | "vcpuPerGbps">;
export type RecordedFlow = Unmeasured<ThroughputMeasurement> | Unmeasured<RequestMeasurement>;

/** What the steps share, and what they record. */
export interface Session {
    readonly cluster: BenchCluster;
    readonly options: BenchOptions;
    readonly ns: string;
    readonly clientNode: string;
    readonly podIp: string;
    readonly serviceIp: string;
    readonly progress: (line: string) => void;
    /** Standing Services created so far. */
    standing: number;
    readonly record: {
        readonly flows: RecordedFlow[];
        readonly programming: ProgrammingMeasurement[];
        readonly standing: { services: number; createSeconds: number }[];
    };
}

/** Standing Services created at once: enough to be quick, few enough not to flood the API server. */
export const STANDING_CONCURRENCY = 16;
/** How long the prober waits for its endpoint to become reachable. */
const PROBE_LIMIT_MS = 300_000;

async function addStanding(session: Session, target: number, prefix: string): Promise<void> {
    const { cluster, options, progress } = session;
    const from = session.standing;
    if (target <= from) return;
    const services = standingObjects(options.runId, from, target, session.podIp);
    progress(
        `${prefix} creating ${services.length} standing Services, ${STANDING_CONCURRENCY} at a time`,
    );
    const started = options.clock.now();
    const step = Math.max(1, Math.round(services.length / 20));
    await forEachBounded(
        services,
        STANDING_CONCURRENCY,
        async (objects) => {
            for (const object of objects)
                await withRetry(() => cluster.create(object), options.clock);
        },
        (done) => {
            if (done % step === 0 || done === services.length)
                progress(`${prefix} standing Services: ${from + done} of ${target}`);
        },
    );
    session.record.standing.push({
        services: target,
        createSeconds: (options.clock.now() - started) / 1000,
    });
    session.standing = target;
}

async function probe(session: Session, services: number, repetition: number, prefix: string) {
    const { cluster, options } = session;
    const name = sentinelName(services, repetition);
    const created = await cluster.create(serviceWithoutSelector(options.runId, name));
    const clusterIp = field(created, "spec", "clusterIP");
    if (typeof clusterIp !== "string" || clusterIp === "")
        throw new BenchError(`Service ${name} has no cluster IP`);
    const prober = proberPod(options.runId, session.clientNode, {
        name,
        clusterIp,
        podIp: session.podIp,
        limitMs: PROBE_LIMIT_MS,
    });
    session.progress(`${prefix} programming latency with ${services} standing Services`);
    await cluster.create(prober);
    await cluster.waitForPod(
        session.ns,
        prober.metadata.name,
        "Finished",
        POD_START_MS + PROBE_LIMIT_MS,
    );
    const log = await cluster.logs(session.ns, prober.metadata.name, PROBER);
    let result;
    try {
        result = parseProberLog(log);
    } catch (error) {
        throw new BenchError(error instanceof Error ? error.message : String(error));
    }
    session.record.programming.push({ services, repetition, ...result });
    session.progress(`${prefix} a new endpoint was reachable after ${result.programmedMs} ms`);
}

async function measure(session: Session, step: Extract<Step, { kind: "flow" }>, prefix: string) {
    const { cluster, options } = session;
    const { flow, services, repetition } = step;
    const name = `${flow}-n${services}-r${repetition}`;
    const throughput = isThroughputFlow(flow);
    const target = flow.startsWith("p2p") ? session.podIp : session.serviceIp;
    session.progress(
        `${prefix} ${FLOW_TITLE[flow]}, ${services} standing Services, repetition ${repetition}: ${options.durationSeconds} s to ${target}`,
    );
    await cluster.create(
        isThroughputFlow(flow)
            ? iperfClientPod(options.runId, name, flow, session.clientNode, target, options)
            : fortioClientPod(options.runId, name, flow, session.clientNode, target, options),
    );
    const timeoutMs = POD_START_MS + options.durationSeconds * 1000 + 60_000;
    await cluster.waitForPod(session.ns, name, "Finished", timeoutMs);
    const log = await cluster.logs(session.ns, name, throughput ? "iperf3" : "fortio");
    const where = { services, repetition };
    try {
        if (isThroughputFlow(flow)) {
            const iperf = parseIperf3(log);
            session.record.flows.push({ flow, ...where, iperf });
            session.progress(`${prefix} ${figure(iperf.gbps)} Gbit/s received`);
        } else {
            const fortio = parseFortio(log);
            session.record.flows.push({ flow, ...where, fortio });
            session.progress(`${prefix} ${figure(fortio.ratePerSecond)} per second`);
        }
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new BenchError(`${name}: ${reason}`);
    }
}

export async function runStep(session: Session, step: Step, prefix: string): Promise<void> {
    switch (step.kind) {
        case "standing":
            return addStanding(session, step.services, prefix);
        case "programming":
            return probe(session, step.services, step.repetition, prefix);
        case "flow":
            return measure(session, step, prefix);
    }
}

/**
 * The recorded flows with each node's CPU over the flow's own interval (read from the tool's
 * report, on the client's clock), above the node's idle baseline.
 */
export function measurementsWithCpu(
    flows: readonly RecordedFlow[],
    logs: { client: CpuLog; server: CpuLog },
    baseline: { client: CpuUse; server: CpuUse },
    cpu: (log: CpuLog, window: { start: number; end: number }, what: string) => CpuUse,
): Measurement[] {
    return flows.map((f) => {
        const window = "iperf" in f ? f.iperf : f.fortio;
        const what = `${f.flow} (${f.services} Services, repetition ${f.repetition})`;
        const clientCpu = aboveBaseline(
            cpu(logs.client, window, `${what} on the client node`),
            baseline.client,
        );
        const serverCpu = aboveBaseline(
            cpu(logs.server, window, `${what} on the server node`),
            baseline.server,
        );
        if (!("iperf" in f)) return { ...f, clientCpu, serverCpu };
        if (f.iperf.gbps <= 0) throw new BenchError(`${what} received nothing`);
        return {
            ...f,
            clientCpu,
            serverCpu,
            vcpuPerGbps: (clientCpu.busy + serverCpu.busy) / f.iperf.gbps,
        };
    });
}
