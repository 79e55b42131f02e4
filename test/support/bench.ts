/** Helpers for the benchmark tests: synthetic sampler logs and recorded-shape runs. */
import type { Dataplane } from "../../core/dataplane";
import type { CpuUse } from "../../tools/bench/cpu";
import { fingerprintOf, type Fingerprint } from "../../tools/bench/fingerprint";
import { THROUGHPUT_FLOWS } from "../../tools/bench/flows";
import type { FortioResult, LatencyHistogram } from "../../tools/bench/fortio";
import type { BenchRun, Measurement } from "../../tools/bench/results";
import { bpfClusterObjects, environmentObjectsOf } from "./fixtures";

/** `cpus n`, then one /proc/stat line a second: busy rises by `busyPerSecond(t)` jiffies of 100 per CPU-second. */
export function syntheticCpuLog(
    cpus: number,
    from: number,
    to: number,
    busyPerSecond: (t: number) => number,
): string {
    const lines = [`cpus ${cpus}`, "mtu 1500"];
    let busy = 0;
    let idle = 0;
    for (let t = from; t <= to; t++) {
        lines.push(`${t} cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0`);
        const used = busyPerSecond(t);
        busy += used;
        idle += cpus * 100 - used;
    }
    return lines.join("\n");
}

export const RECORDED_NODES = ["aks-system-12345678-vmss000001", "aks-system-12345678-vmss000000"];

export function recordedFingerprint(): Fingerprint {
    return fingerprintOf({
        environment: environmentObjectsOf(bpfClusterObjects()),
        kubernetesVersion: "v1.36.2",
        clientNode: RECORDED_NODES[0] as string,
        serverNode: RECORDED_NODES[1] as string,
        nics: {
            client: [
                { name: "eth0", mtu: 1500, driver: "hv_netvsc" },
                { name: "enP30832s1", mtu: 1500, driver: "mlx5_core" },
            ],
            server: [
                { name: "eth0", mtu: 1500, driver: "hv_netvsc" },
                { name: "enP12345s1", mtu: 1500, driver: "mlx5_core" },
            ],
        },
        podMtu: 1500,
        imageIds: [
            "quay.io/cilium/network-perf@sha256:c115",
            "docker.io/fortio/fortio@sha256:942c",
        ],
        method: { durationSeconds: 30, connections: 4, udpMbps: 500 },
    });
}

/** CPU of `busy` vCPUs: half softirq, a quarter each user and system. */
export function cpuUse(busy: number): CpuUse {
    return { user: busy / 4, system: busy / 4, irq: 0, softirq: busy / 2, steal: 0.01, busy };
}

function latency(count: number, p99Us: number): LatencyHistogram {
    return {
        count,
        minUs: p99Us / 10,
        maxUs: p99Us * 10,
        meanUs: p99Us / 2,
        percentilesUs: { "50": p99Us / 3, "90": p99Us / 2, "99": p99Us, "99.9": p99Us * 3 },
        buckets: [[p99Us / 10, p99Us * 10, count]],
    };
}

function fortio(
    flow: "rr" | "crr",
    ratePerSecond: number,
    p99Us: number,
    count: number,
): FortioResult {
    return {
        version: "1.75.3",
        runType: flow === "rr" ? "TCP" : "HTTP",
        connections: 4,
        ratePerSecond,
        requests: count,
        errors: 0,
        sockets: flow === "rr" ? 4 : count,
        latency: latency(count, p99Us * 2),
        ...(flow === "crr" ? { connect: latency(count, p99Us) } : {}),
        start: 1795423600,
        end: 1795423630,
    };
}

export interface FakeRunSpec {
    readonly id: string;
    readonly dataplane: Dataplane;
    /** vCPU per Gbit/s of every throughput flow, one value per repetition. */
    readonly vcpuPerGbps: readonly number[];
    /** Standing Services → CRR connect p99 in µs, one value per repetition. */
    readonly connectP99Us?: Readonly<Record<number, readonly number[]>>;
    /** Standing Services → programming latency in ms, one value per repetition. */
    readonly programmedMs?: Readonly<Record<number, readonly number[]>>;
    /** Samples per fortio run (p99.9 needs 10,000). */
    readonly samples?: number;
    readonly fingerprint?: Fingerprint;
    readonly nftablesMode?: string;
}

/** A recorded-shape run: every throughput flow at 1 Gbit/s, RR at 0 Services, CRR and probes as given. */
export function fakeRun(spec: FakeRunSpec): BenchRun {
    const samples = spec.samples ?? 20_000;
    const measurements: Measurement[] = [];
    spec.vcpuPerGbps.forEach((v, i) => {
        const repetition = i + 1;
        for (const flow of THROUGHPUT_FLOWS) {
            measurements.push({
                flow,
                services: 0,
                repetition,
                clientCpu: cpuUse(v / 2),
                serverCpu: cpuUse(v / 2),
                vcpuPerGbps: v,
                iperf: {
                    version: "iperf 3.21",
                    protocol: flow.endsWith("udp") ? "UDP" : "TCP",
                    gbps: 1,
                    sentGbps: 1,
                    estimated: false,
                    ...(flow.endsWith("udp") ? { lossPercent: 0.5 } : { retransmits: 3 }),
                    start: 1795423500,
                    end: 1795423530,
                },
            });
        }
        measurements.push({
            flow: "rr",
            services: 0,
            repetition,
            clientCpu: cpuUse(0.5),
            serverCpu: cpuUse(0.5),
            fortio: fortio("rr", 60_000 / v, 100 * v, samples),
        });
    });
    for (const [services, values] of Object.entries(spec.connectP99Us ?? {})) {
        values.forEach((p99, i) =>
            measurements.push({
                flow: "crr",
                services: Number(services),
                repetition: i + 1,
                clientCpu: cpuUse(0.8),
                serverCpu: cpuUse(0.8),
                fortio: fortio("crr", 5000, p99, samples),
            }),
        );
    }
    const programming = Object.entries(spec.programmedMs ?? {}).flatMap(([services, values]) =>
        values.map((programmedMs, i) => ({
            services: Number(services),
            repetition: i + 1,
            programmedMs,
            createMs: 12,
            attempts: 5,
        })),
    );
    const services = [...new Set([0, ...Object.keys(spec.connectP99Us ?? {}).map(Number)])].sort(
        (a, b) => a - b,
    );
    return {
        id: spec.id,
        startedAt: "2026-11-23T09:00:00.000Z",
        dataplane: spec.dataplane,
        dataplaneSettings: {
            dataplane: spec.dataplane,
            nftablesMode: spec.nftablesMode ?? "Disabled",
            bpfKubeProxyMinSyncPeriod: undefined,
        },
        fingerprint: spec.fingerprint ?? recordedFingerprint(),
        options: {
            flows: [...THROUGHPUT_FLOWS, "rr", "crr"],
            repeat: spec.vcpuPerGbps.length,
            services,
        },
        toolVersions: { iperf3: ["iperf 3.21"], fortio: ["1.75.3"] },
        baseline: { client: cpuUse(0.1), server: cpuUse(0.1) },
        measurements,
        programming,
        standing: services
            .filter((s) => s > 0)
            .map((s) => ({ services: s, createSeconds: s / 100 })),
        cpuLogs: { client: { cpus: 2, samples: [] }, server: { cpus: 2, samples: [] } },
    };
}

/**
 * iptables and eBPF, 3 repetitions each: eBPF cheaper per Gbit/s; connect time and programming
 * latency rising with standing Services on iptables only.
 */
export function servicesAxisRuns(): BenchRun[] {
    return [
        fakeRun({
            id: "a",
            dataplane: "iptables",
            vcpuPerGbps: [1.0, 1.1, 1.2],
            connectP99Us: { 0: [300, 310, 320], 1000: [500, 520, 540], 5000: [900, 950, 1000] },
            programmedMs: { 0: [800, 900, 1000], 5000: [2000, 2500, 3000] },
        }),
        fakeRun({
            id: "b",
            dataplane: "bpf",
            vcpuPerGbps: [0.7, 0.75, 0.8],
            connectP99Us: { 0: [290, 300, 330], 1000: [300, 305, 310], 5000: [300, 310, 320] },
            programmedMs: { 0: [700, 800, 900], 5000: [750, 850, 950] },
        }),
    ];
}
