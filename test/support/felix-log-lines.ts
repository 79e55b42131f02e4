/**
 * calico-node container logs as Felix writes them, line by line in the order its source emits them:
 * `<kubelet RFC 3339> <Calico time> [LEVEL][pid] felix/<file> <line>: <message>` (libcalico-go/lib/
 * logutils/logutils.go @v3.31.7). The file and line numbers are the real ones of each version, so a
 * test can say which version's order it replays. Only lines operator-managed Felix prints: nothing
 * before `Successfully loaded configuration.` (see test/fixtures/felix-v3.31.2/, real output).
 */

/** Where each line the lab reads sits in felix/daemon/daemon.go and felix/dataplane/linux/int_dataplane.go. */
export const FELIX_SOURCE_LINES = {
    "v3.30.7": {
        configLoaded: 354,
        bpfEnabled: 860,
        ctlbEnabled: 961,
        ctlbDetachFailed: 966,
        reportHealth: 1225,
        driverLoop: 2066,
        firstUpdate: 2160,
        healthzStart: 2688,
        healthzFailed: 2692,
    },
    "v3.31.7": {
        configLoaded: 354,
        bpfEnabled: 934,
        ctlbEnabled: 1052,
        ctlbDetachFailed: 1057,
        reportHealth: 1392,
        driverLoop: 2233,
        firstUpdate: 2330,
        healthzStart: 2865,
        healthzFailed: 2869,
    },
} as const;
export type FelixVersion = keyof typeof FELIX_SOURCE_LINES;
export const FELIX_VERSIONS = Object.keys(FELIX_SOURCE_LINES) as FelixVersion[];

export interface FelixStart {
    readonly version: FelixVersion;
    readonly pid: number;
    /** When the run starts (ms since the epoch); each further line comes 100 ms later. */
    readonly at: number;
    readonly bpf: boolean;
    /** The NFTablesMode in the run's configuration (Felix's default: Disabled). */
    readonly nftablesMode?: string;
    /** eBPF only: `TCP` attaches the connect-time load balancer, `detach` removes it, `detach-failed` fails to. */
    readonly ctlb?: "TCP" | "detach" | "detach-failed";
    /** eBPF only: the healthz port; 3.30.5+ logs the server's start. */
    readonly healthzPort?: number;
}

const line = (at: number, pid: number, level: string, source: string, message: string): string => {
    const iso = new Date(at).toISOString();
    const calico = iso.replace("T", " ").slice(0, 23);
    return `${iso.replace("Z", "000000Z")} ${calico} [${level}][${pid}] felix/${source}: ${message}`;
};

/**
 * A Felix run's lines from its start to its first update of the dataplane, in int_dataplane.go's
 * order; its configuration (`config=`, Go's %#v of *config.Config, unquoted) holds the fields the
 * lab reads, as Felix prints them (bools and strings as Go writes them).
 */
export function felixStartLines(start: FelixStart): string[] {
    const lines = FELIX_SOURCE_LINES[start.version];
    const config =
        `&config.Config{UseInternalDataplaneDriver:true, NFTablesMode:"${start.nftablesMode ?? "Disabled"}", ` +
        `BPFEnabled:${String(start.bpf)}}`;
    const messages: [string, string, string][] = [
        [
            "INFO",
            `daemon.go ${lines.configLoaded}`,
            `Successfully loaded configuration. GOMAXPROCS=2 builddate="" config=${config} gitcommit="" version="${start.version}"`,
        ],
        ["INFO", "driver.go 76", "Using internal (linux) dataplane driver."],
    ];
    if (start.bpf) {
        messages.push([
            "INFO",
            `int_dataplane.go ${lines.bpfEnabled}`,
            "BPF enabled, starting BPF endpoint manager and map manager.",
        ]);
        if (start.healthzPort !== undefined) {
            messages.push([
                "INFO",
                `int_dataplane.go ${lines.healthzStart}`,
                `Starting BPF Proxy Healthz server on :${start.healthzPort}`,
            ]);
        }
        if (start.ctlb === "TCP") {
            messages.push([
                "INFO",
                `int_dataplane.go ${lines.ctlbEnabled}`,
                "Connect time load balancer enabled: TCP",
            ]);
        } else if (start.ctlb === "detach-failed") {
            messages.push([
                "WARNING",
                `int_dataplane.go ${lines.ctlbDetachFailed}`,
                "Failed to detach connect-time load balancer. Ignoring. error=no such file or directory",
            ]);
        }
    }
    messages.push(
        ["INFO", `int_dataplane.go ${lines.reportHealth}`, "Registering to report health."],
        [
            "INFO",
            `int_dataplane.go ${lines.driverLoop}`,
            "Started internal iptables dataplane driver loop",
        ],
        [
            "INFO",
            `int_dataplane.go ${lines.firstUpdate}`,
            "Completed first update to dataplane. secsSinceStart=1.2",
        ],
    );
    return messages.map(([level, source, message], i) =>
        line(start.at + i * 100, start.pid, level, source, message),
    );
}

/** The line an eBPF Felix logs every second while its kube-proxy health server cannot bind its port. */
export function healthzFailedLine(
    version: FelixVersion,
    pid: number,
    at: number,
    port: number,
): string {
    return line(
        at,
        pid,
        "ERROR",
        `int_dataplane.go ${FELIX_SOURCE_LINES[version].healthzFailed}`,
        "BPF Proxy Healthz server failed, restarting in 1s " +
            `error=failed to start proxy healthz on :${port}: listen tcp :${port}: bind: address already in use`,
    );
}
