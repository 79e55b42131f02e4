/**
 * Reads yaobank's access log. The customer app runs Flask's development server, whose werkzeug
 * request handler logs `<client> - - [<date>] "<method> <path> <protocol>" <status> <size>` to stderr
 * (pallets/werkzeug src/werkzeug/serving.py log_request @1.0.1), e.g.
 * `10.224.0.62 - - [12/Dec/2022 18:55:38] "GET / HTTP/1.1" 200 -`. Some werkzeug versions colour the
 * quoted part with ANSI escapes; the path keeps its query string.
 */
import { isIP } from "node:net";

export interface AccessLogEntry {
    /** The TCP peer the pod saw: what kube-proxy or Calico left of the client's address. */
    readonly sourceIp: string;
    readonly time: string;
    readonly method: string;
    readonly path: string;
    readonly status: number;
}

// eslint-disable-next-line no-control-regex -- the escapes are what we strip
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
const ACCESS_LINE = /^(\S+) - \S+ \[([^\]]+)\] "([A-Z]+) (\S+) HTTP\/[0-9.]+" ([0-9]{3}) \S+$/;

/** The entry of one log line, or undefined for anything else (tracebacks, startup banners). */
export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
    const match = ACCESS_LINE.exec(line.replace(ANSI_ESCAPE, "").trim());
    if (match === null) return undefined;
    const [, address = "", time = "", method = "", path = "", status = ""] = match;
    const sourceIp = unmapIpv4(address);
    if (isIP(sourceIp) === 0) return undefined;
    return { sourceIp, time, method, path, status: Number(status) };
}

/** `::ffff:10.224.0.4` (an IPv4 client on a dual-stack socket) is 10.224.0.4. */
function unmapIpv4(address: string): string {
    const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
    return mapped?.[1] ?? address;
}

/** Every access-log entry in a block of log text. */
export function parseAccessLog(text: string): AccessLogEntry[] {
    return text.split(/\r?\n/).flatMap((line) => {
        const entry = parseAccessLogLine(line);
        return entry ? [entry] : [];
    });
}

/** The latest entry whose path carries the marker (as a whole query value), if any. */
export function findMarked(
    entries: readonly AccessLogEntry[],
    marker: string,
): AccessLogEntry | undefined {
    return entries.filter((e) => markerOf(e.path) === marker).at(-1);
}

/** The query parameter that carries a verification marker. */
export const MARKER_PARAMETER = "lab-verify";

export function markerOf(path: string): string | undefined {
    const query = path.split("?")[1];
    return query === undefined
        ? undefined
        : (new URLSearchParams(query).get(MARKER_PARAMETER) ?? undefined);
}
