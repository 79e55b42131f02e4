/**
 * Reads iperf3's JSON report (`iperf3 -J`), TCP or UDP, from any iperf3 since 3.9. What counts is
 * what the receiver got: for UDP, iperf3 before 3.11 reports only the sender's rate.
 */
import { field, numberAt } from "../../core/unstructured";
import { jsonObjectFromLog } from "./log-json";

export interface IperfResult {
    /** `start.version`, e.g. "iperf 3.9" (esnet/iperf src/iperf_client_api.c @3.9 adds it from PACKAGE_STRING). */
    readonly version: string;
    readonly protocol: "TCP" | "UDP";
    /** What the receiver got, in Gbit/s. */
    readonly gbps: number;
    /** What the sender sent, in Gbit/s. */
    readonly sentGbps: number;
    /** True when `gbps` is derived from the sent rate and the loss, not reported by the receiver. */
    readonly estimated: boolean;
    /** TCP: retransmitted segments, as the sender counted them. */
    readonly retransmits?: number;
    /** UDP: datagrams lost (sequence gaps at the receiver), in percent and in number, and jitter. */
    readonly lossPercent?: number;
    readonly lostPackets?: number;
    readonly packets?: number;
    readonly jitterMs?: number;
    /** The measured interval on the client's clock, in epoch seconds (omitted warm-up excluded). */
    readonly start: number;
    readonly end: number;
}

function udpFigures(summary: unknown) {
    return {
        lossPercent: numberAt(summary, "lost_percent") ?? 0,
        lostPackets: numberAt(summary, "lost_packets") ?? 0,
        packets: numberAt(summary, "packets") ?? 0,
        jitterMs: numberAt(summary, "jitter_ms") ?? 0,
    };
}

export function parseIperf3(text: string): IperfResult {
    const report = jsonObjectFromLog(text, "iperf3");
    const error = field(report, "error");
    if (typeof error === "string") throw new Error(`iperf3 failed: ${error}`);
    const protocol = field(report, "start", "test_start", "protocol");
    if (protocol !== "TCP" && protocol !== "UDP")
        throw new Error("iperf3 report has no TCP/UDP protocol");
    const version = field(report, "start", "version");
    const startedAt = numberAt(report, "start", "timestamp", "timesecs");
    const omit = numberAt(report, "start", "test_start", "omit") ?? 0;
    const duration = numberAt(report, "start", "test_start", "duration");
    if (startedAt === undefined || duration === undefined)
        throw new Error("iperf3 report has no timestamp or duration");
    const common: Pick<IperfResult, "version" | "protocol" | "start" | "end"> = {
        version: typeof version === "string" ? version : "unknown",
        protocol,
        start: startedAt + omit,
        end: startedAt + omit + duration,
    };
    const sent = field(report, "end", "sum_sent");
    const received = field(report, "end", "sum_received");
    const receivedBps = numberAt(received, "bits_per_second");
    if (protocol === "TCP") {
        const sentBps = numberAt(sent, "bits_per_second");
        if (receivedBps === undefined || sentBps === undefined)
            throw new Error("iperf3 report has no TCP sum_sent/sum_received");
        return {
            ...common,
            gbps: receivedBps / 1e9,
            sentGbps: sentBps / 1e9,
            estimated: false,
            retransmits: numberAt(sent, "retransmits") ?? 0,
        };
    }
    // 3.11 added end.sum_received for UDP (esnet/iperf RELNOTES 3.11, commit 0d078c4a).
    if (receivedBps !== undefined) {
        return {
            ...common,
            gbps: receivedBps / 1e9,
            sentGbps: (numberAt(sent, "bits_per_second") ?? receivedBps) / 1e9,
            estimated: false,
            ...udpFigures(received),
        };
    }
    // Before 3.11 UDP has only end.sum: the sender's bytes over the sender's time, with the
    // receiver's loss count (esnet/iperf src/iperf_api.c @3.9 iperf_print_results). Loss counts
    // sequence gaps only, so datagrams lost after the last one received are missed: an upper bound.
    const sum = field(report, "end", "sum");
    const sentBps = numberAt(sum, "bits_per_second");
    if (sentBps === undefined) throw new Error("iperf3 report has no UDP end.sum");
    const figures = udpFigures(sum);
    return {
        ...common,
        gbps: (sentBps * (1 - figures.lossPercent / 100)) / 1e9,
        sentGbps: sentBps / 1e9,
        estimated: true,
        ...figures,
    };
}
