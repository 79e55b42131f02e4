/**
 * Reads fortio's JSON report (`fortio load -json -`). Field names are those of fortio/fortio @v1.75.2:
 * periodic.RunnerResults (periodic/periodic.go), stats.HistogramData (stats/stats.go), and for HTTP
 * fhttp.HTTPRunnerResults (fhttp/httprunner.go), whose ConnectionStats time each new connection.
 */
import { field, numberAt } from "../../core/unstructured";
import { jsonObjectFromLog } from "./log-json";

/** The percentiles the runs ask fortio for (`-p`). */
export const PERCENTILES = [50, 90, 99, 99.9] as const;

/** A latency distribution, in microseconds. */
export interface LatencyHistogram {
    readonly count: number;
    readonly minUs: number;
    readonly maxUs: number;
    readonly meanUs: number;
    /** Percentile → value, as fortio interpolates it inside its histogram buckets. */
    readonly percentilesUs: Readonly<Record<string, number>>;
    /** The histogram itself, [start µs, end µs, count], so that percentiles can be recomputed. */
    readonly buckets: readonly (readonly [number, number, number])[];
}

export interface FortioResult {
    readonly version: string;
    /** "TCP" for the echo runner (RR), "HTTP" for the HTTP runner (CRR with -keepalive=false). */
    readonly runType: string;
    /** Concurrent connections (`-c`). */
    readonly connections: number;
    /** Completed requests per second over the run. */
    readonly ratePerSecond: number;
    readonly requests: number;
    /** Requests that did not get the expected answer (HTTP code other than 200, TCP error). */
    readonly errors: number;
    /** Sockets opened: connections for RR, about one per request for CRR. */
    readonly sockets: number;
    /** Time per request (for CRR including the connect). */
    readonly latency: LatencyHistogram;
    /** Time to connect (TCP handshake), HTTP runner only. */
    readonly connect?: LatencyHistogram;
    /** The run's interval on the client's clock, in epoch seconds. */
    readonly start: number;
    readonly end: number;
}

const SECONDS_TO_US = 1e6;

function histogram(data: unknown, what: string): LatencyHistogram {
    const count = numberAt(data, "Count");
    if (count === undefined) throw new Error(`fortio report has no ${what} histogram`);
    const percentiles = field(data, "Percentiles");
    const buckets = field(data, "Data");
    const us = (value: unknown) => (typeof value === "number" ? value * SECONDS_TO_US : 0);
    return {
        count,
        minUs: us(field(data, "Min")),
        maxUs: us(field(data, "Max")),
        meanUs: us(field(data, "Avg")),
        percentilesUs: Object.fromEntries(
            (Array.isArray(percentiles) ? percentiles : []).map((p) => [
                String(numberAt(p, "Percentile")),
                us(field(p, "Value")),
            ]),
        ),
        buckets: (Array.isArray(buckets) ? buckets : []).map(
            (b) => [us(field(b, "Start")), us(field(b, "End")), numberAt(b, "Count") ?? 0] as const,
        ),
    };
}

export function parseFortio(text: string): FortioResult {
    const report = jsonObjectFromLog(text, "fortio");
    const runType = field(report, "RunType");
    const startTime = field(report, "StartTime");
    const durationNs = numberAt(report, "ActualDuration");
    if (typeof runType !== "string" || typeof startTime !== "string" || durationNs === undefined)
        throw new Error("fortio report has no RunType, StartTime or ActualDuration");
    const start = Date.parse(startTime) / 1000;
    if (Number.isNaN(start)) throw new Error(`fortio report has a bad StartTime "${startTime}"`);
    const codes = (field(report, "RetCodes") ?? {}) as Record<string, unknown>;
    const ok = runType === "HTTP" ? "200" : "OK";
    const errors = Object.entries(codes)
        .filter(([code]) => code !== ok)
        .reduce((sum, [, n]) => sum + (typeof n === "number" ? n : 0), 0);
    const latency = histogram(field(report, "DurationHistogram"), "duration");
    const connectStats = field(report, "ConnectionStats");
    const version = field(report, "Version");
    return {
        version: typeof version === "string" ? version : "unknown",
        runType,
        connections: numberAt(report, "NumThreads") ?? 0,
        ratePerSecond: numberAt(report, "ActualQPS") ?? 0,
        requests: latency.count,
        errors,
        sockets: numberAt(report, "SocketCount") ?? 0,
        latency,
        ...(connectStats === undefined || connectStats === null
            ? {}
            : { connect: histogram(connectStats, "connection") }),
        start,
        end: start + durationNs / 1e9,
    };
}
