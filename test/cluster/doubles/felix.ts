/**
 * The Felix double: what Felix inside a calico-node container writes to that container's log, in
 * Calico's own format and order, for the settings it would run with. Pure; run.ts appends the
 * lines to the files kwok serves as the containers' logs.
 *
 * What it imitates (projectcalico/calico at v3.30.3 and v3.31.2, the Calico of AKS 1.33 and
 * 1.35/1.36, ../shared/crds/PROVENANCE.md):
 * - the line format: libcalico-go/lib/logutils/logutils.go Formatter.Format, `<time> [LEVEL][pid]
 *   felix/<file> <line>: <message>[ key=value...]`, keys sorted, strings quoted (strconv.Quote),
 *   the time cut from RFC 3339 to "2006-01-02 15:04:05.000" without a zone;
 * - where it goes: node/filesystem/etc/service/available/felix/run (`exec 2>&1`), and
 *   felix/logutils/logutils.go (log.SetOutput(os.Stdout)): the container's stdout;
 * - the file kwok serves: kwok pkg/kwok/server/debugging_logs.go reads it with the kubelet's
 *   reader (k8s.io/cri-client/pkg/logs ReadLogs), so each line is in the CRI log format
 *   `<RFC 3339 nano time> stdout F <line>`; that reader adds its own `<time> ` prefix for
 *   `timestamps=true` and filters `sinceTime` on it, as the kubelet does;
 * - the start of a Felix process (felix/daemon/daemon.go Run; felix/dataplane/driver.go
 *   StartDataplaneDriver; felix/dataplane/linux/int_dataplane.go NewIntDataplaneDriver and
 *   loopUpdatingDataplane), a subset of its lines in their real order, from its first INFO line:
 *   operator-managed Felix logs at ERROR until its configuration has loaded (felix/logutils/logutils.go
 *   ConfigureEarlyLogging @v3.31.2), so it never prints `Felix starting up`
 *   (test/fixtures/felix-v3.31.2/, real Felix's output);
 * - a restart in the same container: a setting changed that Felix cannot apply live (all but
 *   daemon.go handledConfigChanges), so Felix logs the change, shuts down and exits with 129
 *   (daemon.go configChangedRC), and runit starts a new process: a new PID.
 * Settings: environment variables beat FelixConfiguration (felix/config/config_params.go, source
 * priority EnvironmentVariable over DatastoreGlobal), with Felix's defaults (config_params.go).
 */

import { field } from "../../../core/unstructured";

/** The Calico lines AKS ships that the lab supports (../shared/crds/PROVENANCE.md). */
export type CalicoLine = "3.30" | "3.31";

interface Source {
    readonly file: string;
    readonly line: number;
}

/** Where each message is logged, per tag (file names as Felix prints them: path.Base). */
interface Release {
    readonly version: string;
    readonly gitCommit: string;
    /** Not in the source: the tag's commit date stands in for the build date. */
    readonly buildDate: string;
    readonly loaded: Source;
    readonly internalDriver: Source;
    readonly kubeProxyCleanup: Source;
    readonly bpfStart: Source;
    /** The kube-proxy health server's start (3.30.3 has no server; 3.30.4 starts it without a line). */
    readonly healthzStart: Source | undefined;
    readonly ctlbEnabled: Source;
    readonly driverLoop: Source;
    readonly connect: Source;
    readonly graph: Source;
    readonly firstUpdate: Source;
    readonly changeNeedsRestart: Source;
    readonly shuttingDown: Source;
    readonly sleeping: Source;
    readonly exiting: Source;
}

const daemon = (line: number): Source => ({ file: "daemon.go", line });
const dataplane = (line: number): Source => ({ file: "int_dataplane.go", line });

/** Line numbers read from `git show <tag>:felix/...` of projectcalico/calico. */
export const RELEASES: Readonly<Record<CalicoLine, Release>> = {
    "3.30": {
        version: "v3.30.3",
        gitCommit: "3302e8bfd48e6375013d1d79ccb2c693306400a9",
        buildDate: "2025-08-22T22:04:56+0000",
        loaded: daemon(354),
        internalDriver: { file: "driver.go", line: 76 },
        kubeProxyCleanup: dataplane(489),
        bpfStart: dataplane(857),
        healthzStart: undefined,
        ctlbEnabled: dataplane(958),
        driverLoop: dataplane(2063),
        connect: daemon(457),
        graph: daemon(678),
        firstUpdate: dataplane(2157),
        changeNeedsRestart: daemon(1415),
        shuttingDown: daemon(826),
        sleeping: daemon(881),
        exiting: daemon(917),
    },
    "3.31": {
        version: "v3.31.2",
        gitCommit: "dd5575465ed825f86a3bc10f17bb5f7dc106d0f0",
        buildDate: "2025-11-17T21:35:40+0000",
        loaded: daemon(354),
        internalDriver: { file: "driver.go", line: 76 },
        kubeProxyCleanup: dataplane(518),
        bpfStart: dataplane(928),
        healthzStart: dataplane(2841),
        ctlbEnabled: dataplane(1029),
        driverLoop: dataplane(2210),
        connect: daemon(467),
        graph: daemon(683),
        firstUpdate: dataplane(2307),
        changeNeedsRestart: daemon(1420),
        shuttingDown: daemon(831),
        sleeping: daemon(886),
        exiting: daemon(922),
    },
};

/** Felix's settings as raw strings by parameter name (BPFEnabled, NFTablesMode, ...). */
export type FelixParams = Readonly<Record<string, string>>;

/**
 * Defaults of the parameters the double reads or the lab sets (felix/config/config_params.go
 * @v3.30.3 and @v3.31.2; BPFKubeProxyHealthzPort exists from 3.30.5). Felix compares parsed
 * values (config_params.go resolve), so a default made explicit is no change.
 */
const DEFAULTS: FelixParams = {
    BPFEnabled: "false",
    BPFConnectTimeLoadBalancing: "TCP",
    BPFKubeProxyIptablesCleanupEnabled: "true",
    BPFExternalServiceMode: "tunnel",
    BPFDataIfacePattern: "^((en|wl|ww|sl|ib)[Popsx].*|(eth|wlan|wwan|bond).*)",
    BPFKubeProxyHealthzPort: "10256",
    NFTablesMode: "Disabled",
    WireguardEnabled: "false",
};

/** `oneof(...)` parameters: Felix parses them without regard to case (Tunnel is tunnel). */
const ONE_OF = new Set(["BPFConnectTimeLoadBalancing", "BPFExternalServiceMode", "NFTablesMode"]);

/** Changes Felix applies without a restart (felix/daemon/daemon.go handledConfigChanges). */
const HANDLED_LIVE = new Set([
    "CalicoVersion",
    "ClusterGUID",
    "ClusterType",
    "HealthTimeoutOverrides",
]);

/**
 * A FelixConfiguration spec field's Felix parameter name: the API's camelCase with Felix's
 * upper-case acronyms (bpfEnabled → BPFEnabled, nftablesMode → NFTablesMode).
 */
export function parameterName(specField: string): string {
    if (specField.startsWith("bpf")) return `BPF${specField.slice(3)}`;
    if (specField.startsWith("nftables")) return `NFTables${specField.slice(8)}`;
    return specField.charAt(0).toUpperCase() + specField.slice(1);
}

const rawValue = (value: unknown): string =>
    typeof value === "string" ? value : JSON.stringify(value);

/**
 * The settings a Felix starting now runs with: FelixConfiguration `default`'s spec, overridden by
 * the container's FELIX_<PARAMETER> variables (matched without regard to case, as Felix does).
 */
export function felixParams(
    env: Readonly<Record<string, string>>,
    felixConfigurationSpec: Readonly<Record<string, unknown>>,
): FelixParams {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(felixConfigurationSpec)) {
        if (value !== undefined && value !== null) params[parameterName(key)] = rawValue(value);
    }
    const known = [...Object.keys(DEFAULTS), ...Object.keys(params)];
    const byUpperCase = new Map(known.map((name) => [name.toUpperCase(), name]));
    for (const [name, value] of Object.entries(env)) {
        if (!name.startsWith("FELIX_")) continue;
        const upper = name.slice("FELIX_".length);
        params[byUpperCase.get(upper) ?? upper] = value;
    }
    return params;
}

const setting = (params: FelixParams, name: string): string => params[name] ?? DEFAULTS[name] ?? "";
/** The value as Felix's parser sees it, for comparing. */
const parsed = (params: FelixParams, name: string): string =>
    ONE_OF.has(name) ? setting(params, name).toLowerCase() : setting(params, name);

/** Whether Felix runs its eBPF dataplane with these settings (config_params.go BPFEnabled, default false). */
export const bpfEnabled = (params: FelixParams): boolean =>
    setting(params, "BPFEnabled") === "true";

/** The parameters whose change makes a running Felix restart, sorted. */
export function restartingChanges(before: FelixParams, after: FelixParams): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names]
        .filter((name) => !HANDLED_LIVE.has(name) && parsed(before, name) !== parsed(after, name))
        .sort();
}

/** A field value Felix's formatter writes with %#v, unquoted (logutils.go appendKVsAndNewLine @v3.31.2). */
export interface GoSyntax {
    readonly goSyntax: string;
}

/** One log entry before formatting. */
export interface FelixEntry {
    /** ms since the epoch. */
    readonly at: number;
    readonly level: "INFO" | "WARNING";
    readonly source: Source;
    readonly message: string;
    readonly fields?: Readonly<Record<string, string | number | GoSyntax>>;
}

/** What the container provides a starting Felix. */
export interface FelixStart {
    readonly line: CalicoLine;
    readonly params: FelixParams;
    readonly gomaxprocs: number;
}

/** Gaps between the lines of one start (ms); Felix takes about a second to its driver loop. */
const STEP_MS = 40;

/**
 * The lines one Felix process logs from its start to its first update of the dataplane, from `at`
 * on, as real Felix printed them (test/fixtures/felix-v3.31.2/): its configuration first, its
 * driver loop before its first update (int_dataplane.go loopUpdatingDataplane). In eBPF
 * mode: the kube-proxy cleanup notice (only with cleanup on), the BPF start, on 3.31 the start of
 * kube-proxy's health server on BPFKubeProxyHealthzPort (int_dataplane.go
 * startBPFDataplaneComponents, called at :943 between those two and the next @v3.31.2; the port is
 * "non-zero", so it always starts), and the connect-time load balancer attach notice unless it is
 * Disabled (then int_dataplane.go detaches it, silent on success). Then the driver loop, which both
 * modes log as "iptables" (also with nftables).
 */
export function startLines(start: FelixStart, at: number): FelixEntry[] {
    const release = RELEASES[start.line];
    const build = {
        GOMAXPROCS: start.gomaxprocs,
        builddate: release.buildDate,
        gitcommit: release.gitCommit,
        version: release.version,
    };
    const bpf = bpfEnabled(start.params);
    const ctlb = setting(start.params, "BPFConnectTimeLoadBalancing");
    const cleanup = setting(start.params, "BPFKubeProxyIptablesCleanupEnabled") === "true";
    const nftables = setting(start.params, "NFTablesMode") === "Enabled";
    const healthz = bpf ? release.healthzStart : undefined;
    // 3.30 logs the cleanup notice only without nftables (int_dataplane.go @v3.30.3); 3.31 always.
    const cleanupLogged = bpf && cleanup && (start.line === "3.31" || !nftables);
    const entries: Omit<FelixEntry, "at">[] = [
        {
            level: "INFO",
            source: release.loaded,
            message: "Successfully loaded configuration.",
            fields: { ...build, config: configDump(start.params) },
        },
        {
            level: "INFO",
            source: release.internalDriver,
            message: "Using internal (linux) dataplane driver.",
        },
        ...(cleanupLogged
            ? [
                  {
                      level: "INFO" as const,
                      source: release.kubeProxyCleanup,
                      message:
                          start.line === "3.31"
                              ? "BPF enabled, configuring iptables/nftables layer to clean up kube-proxy's rules."
                              : "BPF enabled, configuring iptables layer to clean up kube-proxy's rules.",
                  },
              ]
            : []),
        ...(bpf
            ? [
                  {
                      level: "INFO" as const,
                      source: release.bpfStart,
                      message: "BPF enabled, starting BPF endpoint manager and map manager.",
                  },
              ]
            : []),
        ...(healthz === undefined
            ? []
            : [
                  {
                      level: "INFO" as const,
                      source: healthz,
                      message: `Starting BPF Proxy Healthz server on :${setting(start.params, "BPFKubeProxyHealthzPort")}`,
                  },
              ]),
        ...(bpf && ctlb !== "Disabled"
            ? [
                  {
                      level: "INFO" as const,
                      source: release.ctlbEnabled,
                      message: `Connect time load balancer enabled: ${ctlb}`,
                  },
              ]
            : []),
        {
            level: "INFO",
            source: release.driverLoop,
            message: "Started internal iptables dataplane driver loop",
        },
        { level: "INFO", source: release.connect, message: "Connect to the dataplane driver." },
        { level: "INFO", source: release.graph, message: "Started the processing graph" },
        {
            level: "INFO",
            source: release.firstUpdate,
            message: "Completed first update to dataplane.",
            fields: { secsSinceStart: { goSyntax: "0.52" } },
        },
    ];
    return entries.map((entry, index) => ({ ...entry, at: at + index * STEP_MS }));
}

/**
 * The lines of a Felix that saw settings change it must restart for (daemon.go handleConfigUpdate,
 * monitorAndManageShutdown, exitWithCustomRC), from `at` on; its successor starts 2 s after the
 * "Sleeping" line (daemon.go sleeps 2 s to avoid a tight restart loop).
 */
export function restartLines(
    line: CalicoLine,
    before: FelixParams,
    after: FelixParams,
    at: number,
): FelixEntry[] {
    const release = RELEASES[line];
    const reason = { reason: "config changed" };
    const changes = restartingChanges(before, after).map((name) => ({
        level: "INFO" as const,
        source: release.changeNeedsRestart,
        message: "Configuration value changed; change DOES require Felix to restart.",
        fields: { key: name, newValue: after[name] ?? "", oldValue: before[name] ?? "" },
    }));
    if (changes.length === 0) return [];
    const entries: Omit<FelixEntry, "at">[] = [
        ...changes,
        {
            level: "WARNING",
            source: release.shuttingDown,
            message: "Felix is shutting down",
            fields: reason,
        },
        {
            level: "INFO",
            source: release.sleeping,
            message: "Sleeping to avoid tight restart loop.",
            fields: reason,
        },
    ];
    const timed: FelixEntry[] = entries.map((entry, index) => ({
        ...entry,
        at: at + index * STEP_MS,
    }));
    const sleptAt = (timed.at(-1)?.at ?? at) + 2000;
    return [
        ...timed,
        {
            at: sleptAt,
            level: "INFO",
            source: release.exiting,
            message: "Exiting for config change",
            fields: { rc: 129 },
        },
    ];
}

/** When a restarted Felix starts: just after the exit line runit saw. */
export const restartedAt = (lines: readonly FelixEntry[]): number =>
    (lines.at(-1)?.at ?? 0) + STEP_MS;

/** Parameters Felix holds as *regexp.Regexp, which %#v prints as a pointer. */
const REGEXP_PARAMS = new Set(["BPFDataIfacePattern"]);

/**
 * Felix prints its whole config struct (%#v of *config.Config: bools and numbers bare, strings
 * quoted, a regexp as a pointer); the double prints the parameters it knows, in that shape, which is
 * enough for a reader and no more than the double decides on.
 */
function configDump(params: FelixParams): GoSyntax {
    const names = [...new Set([...Object.keys(DEFAULTS), ...Object.keys(params)])].sort();
    const shown = names.map((name) => {
        const value = setting(params, name);
        if (REGEXP_PARAMS.has(name)) return `${name}:(*regexp.Regexp)(0xc000a1e0f0)`;
        const bare = /^(true|false|\d+)$/.test(value);
        return `${name}:${bare ? value : JSON.stringify(value)}`;
    });
    return { goSyntax: `&config.Config{${shown.join(", ")}}` };
}

/** Go's strconv.Quote for the characters these values hold. */
const goQuote = (value: string): string => JSON.stringify(value);

const fieldText = (value: string | number | GoSyntax): string =>
    typeof value === "string"
        ? goQuote(value)
        : typeof value === "number"
          ? String(value)
          : value.goSyntax;

/** Calico's time: RFC 3339 in UTC cut to milliseconds, a space for the T, no zone. */
const calicoTime = (at: number): string =>
    new Date(at).toISOString().slice(0, 23).replace("T", " ");

/** One entry as logutils.Formatter writes it (no trailing newline). */
export function formatFelixLine(entry: FelixEntry, pid: number): string {
    const fields = Object.entries(entry.fields ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => ` ${key}=${fieldText(value)}`)
        .join("");
    return (
        `${calicoTime(entry.at)} [${entry.level}][${pid}] felix/` +
        `${entry.source.file} ${entry.source.line}: ${entry.message}${fields}`
    );
}

/** RFC 3339 with nine fraction digits, as container runtimes stamp CRI log lines. */
const criTime = (at: number): string =>
    new Date(at).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");

/** A line of a CRI container log file (a full line), as kwok and the kubelet read them. */
export const criLogLine = (
    at: number,
    content: string,
    stream: "stdout" | "stderr" = "stdout",
): string => `${criTime(at)} ${stream} F ${content}\n`;

/** The entries of one process as the lines of its container's log file. */
export const criLogLines = (entries: readonly FelixEntry[], pid: number): string =>
    entries.map((entry) => criLogLine(entry.at, formatFelixLine(entry, pid))).join("");

/** The PID of the next Felix in a container: runit's, then each restart's, grow (never reused here). */
export const nextPid = (previous: number | undefined): number =>
    previous === undefined ? 62 : previous + 23;

/**
 * What a client gets for a CRI log file through the API server (kwok, like the kubelet, reads it
 * with k8s.io/cri-client/pkg/logs ReadLogs): lines stamped before `since` skipped, and with
 * `timestamps` each line prefixed with its stamp in RFC3339NanoFixed and a space. For tests: it
 * lets the lab's parser read the double's files as `kubectl logs --timestamps` would.
 */
export function servedLog(file: string, options: { timestamps: boolean; since?: number }): string {
    return file
        .split("\n")
        .flatMap((line) => {
            const match = /^(\S+) (stdout|stderr) [PF] (.*)$/.exec(line);
            if (match === null) return [];
            const [, stamp = "", , content = ""] = match;
            const at = Date.parse(stamp);
            if (options.since !== undefined && at < options.since) return [];
            return [options.timestamps ? `${criTime(at)} ${content}\n` : `${content}\n`];
        })
        .join("");
}

/** A calico-node pod's container as a pod watch event shows it. */
export type FelixContainer =
    | {
          readonly kind: "running";
          readonly uid: string;
          readonly namespace: string;
          readonly name: string;
          readonly node: string;
          /** The container's plain env (valueFrom entries are the kubelet's business). */
          readonly env: Readonly<Record<string, string>>;
          /** Changes when the container is replaced or restarted: a new Felix. */
          readonly key: string;
          readonly startedAt: number;
      }
    | { readonly kind: "gone"; readonly uid: string };

const textAt = (object: unknown, ...path: string[]): string => {
    const value = field(object, ...path);
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
};
const named = (items: unknown, name: string): unknown =>
    Array.isArray(items)
        ? (items as unknown[]).find((item) => field(item, "name") === name)
        : undefined;

/**
 * The calico-node container of a pod watch event: running (with when it started), gone (deleted or
 * being deleted), or undefined while it does not run yet (kwok marks it running, as a kubelet would).
 */
export function felixContainer(phase: string, pod: unknown): FelixContainer | undefined {
    const uid = textAt(pod, "metadata", "uid");
    if (phase === "DELETED" || field(pod, "metadata", "deletionTimestamp") !== undefined) {
        return { kind: "gone", uid };
    }
    const status = named(field(pod, "status", "containerStatuses"), "calico-node");
    const startedAt = textAt(status, "state", "running", "startedAt");
    if (startedAt === "") return undefined;
    const env: Record<string, string> = {};
    const envList = field(named(field(pod, "spec", "containers"), "calico-node"), "env");
    for (const variable of Array.isArray(envList) ? (envList as unknown[]) : []) {
        const value = field(variable, "value");
        if (typeof value === "string") env[textAt(variable, "name")] = value;
    }
    return {
        kind: "running",
        uid,
        namespace: textAt(pod, "metadata", "namespace"),
        name: textAt(pod, "metadata", "name"),
        node: textAt(pod, "spec", "nodeName"),
        env,
        key: [textAt(status, "containerID"), textAt(status, "restartCount"), startedAt].join("/"),
        startedAt: Date.parse(startedAt),
    };
}
