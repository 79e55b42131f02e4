/**
 * The comparison of recorded runs: runs grouped by fingerprint, and per flow, count of standing
 * Services and dataplane the median and range of each figure, with the "no measurable difference"
 * rule between the dataplanes.
 */
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import { addCpu } from "./cpu";
import { canonicalJson, type DataplaneSettings, type Fingerprint } from "./fingerprint";
import { REQUEST_FLOWS, THROUGHPUT_FLOWS, type RequestFlow, type ThroughputFlow } from "./flows";
import { PERCENTILES, type LatencyHistogram } from "./fortio";
import type { BenchRun, Measurement, RequestMeasurement, ThroughputMeasurement } from "./results";
import { percentileIsMeaningful, spread, verdict, type Spread, type Verdict } from "./stats";

/** One figure on both dataplanes. */
export interface Pair {
    readonly iptables?: Spread;
    readonly bpf?: Spread;
    /** Set when both dataplanes have values. */
    readonly verdict?: Verdict;
}

export interface ThroughputRow {
    readonly flow: ThroughputFlow;
    readonly services: number;
    readonly gbps: Pair;
    readonly vcpuPerGbps: Pair;
    /** Client + server vCPU above baseline, by kind. */
    readonly softirq: Pair;
    readonly userSystem: Pair;
    readonly steal: Pair;
    readonly lossPercent: Pair;
    readonly retransmits: Pair;
    /** Some received rates were estimated from the sent rate and the loss (iperf3 before 3.11). */
    readonly estimated: boolean;
}

export interface RequestRow {
    readonly flow: RequestFlow;
    readonly services: number;
    readonly rate: Pair;
    readonly errors: Pair;
    /** Percentile → µs; a percentile is left out of a run that had too few samples to carry it. */
    readonly latency: Readonly<Record<string, Pair>>;
    readonly connect: Readonly<Record<string, Pair>>;
}

export interface ProgrammingRow {
    readonly services: number;
    readonly programmedMs: Pair;
}

export interface RunGroup {
    readonly fingerprint: Fingerprint;
    readonly settings: Partial<Record<Dataplane, DataplaneSettings>>;
    readonly runs: readonly BenchRun[];
}

export interface GroupComparison extends RunGroup {
    readonly throughput: readonly ThroughputRow[];
    readonly requests: readonly RequestRow[];
    readonly programming: readonly ProgrammingRow[];
}

/**
 * Runs with equal fingerprints, whose runs of one dataplane also agree on that dataplane's
 * settings. Newest group (the one with the latest run) first.
 */
export function groupRuns(runs: readonly BenchRun[]): RunGroup[] {
    const groups: { key: string; settings: Map<Dataplane, string>; group: RunGroup }[] = [];
    for (const run of runs) {
        const key = canonicalJson(run.fingerprint);
        const settings = canonicalJson(run.dataplaneSettings);
        const fits = (g: (typeof groups)[number]) =>
            g.key === key && (g.settings.get(run.dataplane) ?? settings) === settings;
        const found = groups.find(fits);
        if (found === undefined) {
            groups.push({
                key,
                settings: new Map([[run.dataplane, settings]]),
                group: {
                    fingerprint: run.fingerprint,
                    settings: { [run.dataplane]: run.dataplaneSettings },
                    runs: [run],
                },
            });
            continue;
        }
        found.settings.set(run.dataplane, settings);
        found.group = {
            ...found.group,
            settings: { ...found.group.settings, [run.dataplane]: run.dataplaneSettings },
            runs: [...found.group.runs, run],
        };
    }
    const latest = (g: RunGroup) => Math.max(...g.runs.map((r) => runs.indexOf(r)));
    return groups.map((g) => g.group).sort((a, b) => latest(b) - latest(a));
}

function pair(values: (dataplane: Dataplane) => number[]): Pair {
    const [iptables, bpf] = DATAPLANES.map((d) => spread(values(d)));
    return {
        ...(iptables && { iptables }),
        ...(bpf && { bpf }),
        ...(iptables && bpf && { verdict: verdict(iptables, bpf) }),
    };
}

function percentilePairs(
    measured: (dataplane: Dataplane) => LatencyHistogram[],
): Record<string, Pair> {
    return Object.fromEntries(
        PERCENTILES.map((p) => [
            String(p),
            pair((d) =>
                measured(d)
                    .filter((h) => percentileIsMeaningful(p, h.count))
                    .flatMap((h) => {
                        const value = h.percentilesUs[String(p)];
                        return value === undefined ? [] : [value];
                    }),
            ),
        ]),
    );
}

const servicesOf = (measurements: readonly { services: number }[]) =>
    [...new Set(measurements.map((m) => m.services))].sort((a, b) => a - b);

function compareGroup(group: RunGroup): GroupComparison {
    const all = group.runs.flatMap((run) =>
        run.measurements.map((m) => ({ dataplane: run.dataplane, m })),
    );
    const select = <M extends Measurement>(
        flow: M["flow"],
        services: number,
    ): ((dataplane: Dataplane) => M[]) => {
        const matching = all.filter((x) => x.m.flow === flow && x.m.services === services);
        return (dataplane) =>
            matching.filter((x) => x.dataplane === dataplane).map((x) => x.m as M);
    };
    const throughput = THROUGHPUT_FLOWS.flatMap((flow) =>
        servicesOf(all.map((x) => x.m).filter((m) => m.flow === flow)).map((services) => {
            const of = select<ThroughputMeasurement>(flow, services);
            const cpu = (d: Dataplane) => of(d).map((m) => addCpu(m.clientCpu, m.serverCpu));
            return {
                flow,
                services,
                gbps: pair((d) => of(d).map((m) => m.iperf.gbps)),
                vcpuPerGbps: pair((d) => of(d).map((m) => m.vcpuPerGbps)),
                softirq: pair((d) => cpu(d).map((c) => c.softirq)),
                userSystem: pair((d) => cpu(d).map((c) => c.user + c.system + c.irq)),
                steal: pair((d) => cpu(d).map((c) => c.steal)),
                lossPercent: pair((d) =>
                    of(d).flatMap((m) =>
                        m.iperf.lossPercent === undefined ? [] : [m.iperf.lossPercent],
                    ),
                ),
                retransmits: pair((d) =>
                    of(d).flatMap((m) =>
                        m.iperf.retransmits === undefined ? [] : [m.iperf.retransmits],
                    ),
                ),
                estimated: DATAPLANES.some((d) => of(d).some((m) => m.iperf.estimated)),
            };
        }),
    );
    const requests = REQUEST_FLOWS.flatMap((flow) =>
        servicesOf(all.map((x) => x.m).filter((m) => m.flow === flow)).map((services) => {
            const of = select<RequestMeasurement>(flow, services);
            return {
                flow,
                services,
                rate: pair((d) => of(d).map((m) => m.fortio.ratePerSecond)),
                errors: pair((d) => of(d).map((m) => m.fortio.errors)),
                latency: percentilePairs((d) => of(d).map((m) => m.fortio.latency)),
                connect: percentilePairs((d) =>
                    of(d).flatMap((m) => (m.fortio.connect ? [m.fortio.connect] : [])),
                ),
            };
        }),
    );
    const probes = group.runs.flatMap((run) =>
        run.programming.map((p) => ({ dataplane: run.dataplane, p })),
    );
    const programming = servicesOf(probes.map((x) => x.p)).map((services) => ({
        services,
        programmedMs: pair((d) =>
            probes
                .filter((x) => x.dataplane === d && x.p.services === services)
                .map((x) => x.p.programmedMs),
        ),
    }));
    return { ...group, throughput, requests, programming };
}

/** Every group's comparison, newest first. */
export function compare(runs: readonly BenchRun[]): GroupComparison[] {
    return groupRuns(runs).map(compareGroup);
}
