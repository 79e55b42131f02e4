/** Benchmark runs: their record, the results file they accumulate in, and the comparison. */
import { DATAPLANES, type Dataplane } from "../../core/dataplane";

export const FLOWS = ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp", "latency"] as const;
export type Flow = (typeof FLOWS)[number];
export type ThroughputFlowName = Exclude<Flow, "latency">;

export interface ThroughputResult {
    readonly flow: ThroughputFlowName;
    readonly gbps: number;
    readonly retransmits?: number;
    readonly lossPercent?: number;
    readonly jitterMs?: number;
    /** Busy vCPUs on the client's and the server's node during the flow, idle baseline removed. */
    readonly clientVcpu: number;
    readonly serverVcpu: number;
    /** (client + server vCPU) / Gbit/s: the published benchmark's measure. */
    readonly vcpuPerGbps: number;
}

export interface LatencyResult {
    readonly connections: number;
    readonly meanMs: number;
    readonly p50Ms: number;
    readonly p90Ms: number;
    readonly p99Ms: number;
}

export interface BenchRun {
    readonly id: string;
    readonly startedAt: string;
    /** Read from the cluster (Installation and FelixConfiguration), not assumed from config. */
    readonly dataplane: Dataplane;
    readonly clientNode: string;
    readonly serverNode: string;
    readonly vmSize: string | undefined;
    readonly durationSeconds: number;
    /** Busy vCPUs of each node before any traffic, subtracted from the flows'. */
    readonly baselineVcpu: { readonly client: number; readonly server: number };
    readonly flows: readonly ThroughputResult[];
    readonly latency?: LatencyResult;
}

export interface ResultsFile {
    readonly version: 1;
    readonly runs: readonly BenchRun[];
}

/** Appends a run to the results file's text (undefined when there is no file yet). */
export function appendRun(existing: string | undefined, run: BenchRun): ResultsFile {
    if (existing === undefined || existing.trim() === "") return { version: 1, runs: [run] };
    const parsed = JSON.parse(existing) as { version?: unknown; runs?: unknown };
    if (parsed.version !== 1 || !Array.isArray(parsed.runs)) {
        throw new Error("the results file is not a version 1 aks-calico-lab benchmark file");
    }
    const runs = parsed.runs as BenchRun[];
    if (runs.some((r) => r.id === run.id)) {
        throw new Error(`run ${run.id} is already in the results file`);
    }
    return { version: 1, runs: [...runs, run] };
}

export function latencyStats(samplesMs: readonly number[]): LatencyResult {
    if (samplesMs.length === 0) throw new Error("no connection-time samples");
    const sorted = [...samplesMs].sort((a, b) => a - b);
    const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return {
        connections: sorted.length,
        meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        p50Ms: at(0.5),
        p90Ms: at(0.9),
        p99Ms: at(0.99),
    };
}

export interface ComparisonCell {
    readonly runs: number;
    readonly gbps: number;
    readonly vcpu: number;
    readonly vcpuPerGbps: number;
}

export interface ComparisonRow {
    readonly flow: ThroughputFlowName;
    readonly byDataplane: Partial<Record<Dataplane, ComparisonCell>>;
    /** Change of vCPU per Gbit/s from iptables to eBPF, in percent (negative: eBPF cheaper). */
    readonly changePercent: number | undefined;
}

export interface Comparison {
    readonly rows: readonly ComparisonRow[];
    readonly latency: Partial<Record<Dataplane, LatencyResult & { runs: number }>>;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Means per flow and dataplane over every recorded run. */
export function compare(runs: readonly BenchRun[]): Comparison {
    const flows = FLOWS.filter((f): f is ThroughputFlowName => f !== "latency");
    const rows = flows.flatMap((flow) => {
        const byDataplane: Partial<Record<Dataplane, ComparisonCell>> = {};
        for (const dataplane of DATAPLANES) {
            const results = runs
                .filter((r) => r.dataplane === dataplane)
                .flatMap((r) => r.flows.filter((f) => f.flow === flow));
            if (results.length === 0) continue;
            byDataplane[dataplane] = {
                runs: results.length,
                gbps: mean(results.map((r) => r.gbps)),
                vcpu: mean(results.map((r) => r.clientVcpu + r.serverVcpu)),
                vcpuPerGbps: mean(results.map((r) => r.vcpuPerGbps)),
            };
        }
        const { iptables, bpf } = byDataplane;
        if (iptables === undefined && bpf === undefined) return [];
        const changePercent =
            iptables && bpf && iptables.vcpuPerGbps > 0
                ? ((bpf.vcpuPerGbps - iptables.vcpuPerGbps) / iptables.vcpuPerGbps) * 100
                : undefined;
        return [{ flow, byDataplane, changePercent }];
    });
    const latency: Comparison["latency"] = {};
    for (const dataplane of DATAPLANES) {
        const results = runs
            .filter((r) => r.dataplane === dataplane)
            .flatMap((r) => (r.latency ? [r.latency] : []));
        if (results.length === 0) continue;
        latency[dataplane] = {
            runs: results.length,
            connections: results.reduce((a, r) => a + r.connections, 0),
            meanMs: mean(results.map((r) => r.meanMs)),
            p50Ms: mean(results.map((r) => r.p50Ms)),
            p90Ms: mean(results.map((r) => r.p90Ms)),
            p99Ms: mean(results.map((r) => r.p99Ms)),
        };
    }
    return { rows, latency };
}

/** CPU to drive the traffic, normalised per Gbit/s; undefined throughput gives no ratio. */
export function perGbps(clientVcpu: number, serverVcpu: number, gbps: number): number {
    if (gbps <= 0) throw new Error("a flow with no throughput has no CPU per Gbit/s");
    return (clientVcpu + serverVcpu) / gbps;
}
