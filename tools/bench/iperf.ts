/** Reads iperf3's JSON report (`iperf3 -J`), TCP or UDP. */
import { field, numberAt } from "../cli/json";

export interface IperfResult {
    readonly protocol: "TCP" | "UDP";
    /** What the receiver got, in Gbit/s. */
    readonly gbps: number;
    /** TCP: retransmitted segments, as the sender counted them. */
    readonly retransmits?: number;
    /** UDP: datagrams lost, in percent, and jitter. */
    readonly lossPercent?: number;
    readonly jitterMs?: number;
    /** The measured interval, in seconds since the epoch (omitted warm-up seconds excluded). */
    readonly start: number;
    readonly end: number;
}

export function parseIperf3(text: string): IperfResult {
    let report: unknown;
    try {
        report = JSON.parse(text);
    } catch {
        throw new Error(`iperf3 printed no JSON report: ${text.slice(0, 200)}`);
    }
    const error = field(report, "error");
    if (typeof error === "string") throw new Error(`iperf3 failed: ${error}`);
    const protocol = field(report, "start", "test_start", "protocol");
    if (protocol !== "TCP" && protocol !== "UDP")
        throw new Error("iperf3 report has no TCP/UDP protocol");
    const startedAt = numberAt(report, "start", "timestamp", "timesecs");
    const omit = numberAt(report, "start", "test_start", "omit") ?? 0;
    const duration = numberAt(report, "start", "test_start", "duration");
    if (startedAt === undefined || duration === undefined)
        throw new Error("iperf3 report has no timestamp or duration");
    const received =
        field(report, "end", "sum_received") ??
        (protocol === "UDP" ? field(report, "end", "sum") : undefined);
    const bitsPerSecond = numberAt(received, "bits_per_second");
    if (bitsPerSecond === undefined) throw new Error("iperf3 report has no received throughput");
    const window = { start: startedAt + omit, end: startedAt + omit + duration };
    if (protocol === "TCP") {
        return {
            protocol,
            gbps: bitsPerSecond / 1e9,
            retransmits: numberAt(report, "end", "sum_sent", "retransmits") ?? 0,
            ...window,
        };
    }
    return {
        protocol,
        gbps: bitsPerSecond / 1e9,
        lossPercent: numberAt(received, "lost_percent") ?? 0,
        jitterMs: numberAt(received, "jitter_ms") ?? 0,
        ...window,
    };
}
