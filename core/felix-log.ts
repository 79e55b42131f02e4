/**
 * What Felix's own log says about the dataplane it runs, per calico-node pod. Pure: the tools read
 * the pods and their logs (kubelet timestamps on) and ask these functions.
 *
 * Felix restarts inside the running calico-node container whenever a setting it cannot apply live
 * changes (bpfEnabled, bpfConnectTimeLoadBalancing, the healthz port: projectcalico/calico
 * felix/daemon/daemon.go @v3.30.3 handledConfigChanges, exit code 129), and runit starts a new
 * process (node/filesystem/etc/service/available/felix/run): a new PID in the same container, so
 * neither the pod nor its restartCount shows it. Readiness notices a probe period (30 s) or more
 * later. So the evidence is the log, and a run is one PID's lines (every line carries it:
 * libcalico-go/lib/logutils/logutils.go " [LEVEL][pid] " @v3.31.2).
 *
 * Operator-managed Felix logs nothing below ERROR until its configuration has loaded: it sets
 * neither FELIX_EARLYLOGSEVERITYSCREEN nor FELIX_LOGSEVERITYSCREEN (felix/logutils/logutils.go
 * ConfigureEarlyLogging :60-77 @v3.31.2; tigera/operator pkg/render/node.go @v1.38.6, @v1.40.2).
 * So a run's start shows only as a new PID, and its first INFO line is `Successfully loaded
 * configuration.`; every line this module reads is one Felix prints at INFO or above after that.
 */
import type { Dataplane } from "./dataplane";
import { clipped } from "./parse";

/** A run's first INFO line, once per process, with its whole configuration (felix/daemon/daemon.go :351-355 @v3.30.3, @v3.31.2, @v3.31.7). */
const CONFIG_LOADED = "Successfully loaded configuration.";
/** Logged as Felix starts its eBPF dataplane, before its maps and programs (int_dataplane.go :928 @v3.31.2, :860 @v3.30.7, :934 @v3.31.7). */
const BPF_START = "BPF enabled, starting BPF endpoint manager and map manager.";
/**
 * Logged as the dataplane driver's loop starts, in every mode, after the eBPF-only setup and
 * before anything is programmed (int_dataplane.go loopUpdatingDataplane :2210 @v3.31.2, :2063 @v3.30.3).
 */
const DRIVER_START = "Started internal iptables dataplane driver loop";
/**
 * Logged once the loop has applied its first update (int_dataplane.go :2307 @v3.31.2, :2157
 * @v3.30.3, :2160 @v3.30.7, :2330 @v3.31.7), also when that update left interfaces dirty: the eBPF
 * attach failures below say whether it programmed them.
 */
const FIRST_UPDATE = "Completed first update to dataplane.";
/** NFTablesMode as Felix re-parses it at INFO after its start (felix/config/config_params.go :805 @v3.31.2 "Parsed value for %v: %v (from %v)"). */
const NFTABLES_PARSED = "Parsed value for NFTablesMode: ";
/** NFTablesMode in CONFIG_LOADED's `config=` field, Go's %#v of *config.Config (logutils.go appendKVsAndNewLine @v3.31.2). */
const NFTABLES_IN_CONFIG = /[{ ]NFTablesMode:"([^"]*)"/;
/** Logged in eBPF mode unless bpfConnectTimeLoadBalancing is Disabled (int_dataplane.go :1029 @v3.31.2, :958 @v3.30.3). */
const CTLB_ENABLED = "Connect time load balancer enabled: ";
/** Felix could not detach the connect-time load balancer (int_dataplane.go :1034 @v3.31.2, :963 @v3.30.3). */
const CTLB_DETACH_FAILED = "Failed to detach connect-time load balancer. Ignoring.";
/**
 * An eBPF Felix serving kube-proxy's health check: logged once, with the address, as it starts the
 * server (int_dataplane.go startBPFDataplaneComponents :2688 @v3.30.7, :2841 @v3.31.2, :2865 @v3.31.7;
 * not in 3.30.4, whose server starts without a line; no server before 3.30.4).
 */
const HEALTHZ_START = "Starting BPF Proxy Healthz server on ";
/** Logged every second while that server cannot run, e.g. its port is taken (int_dataplane.go :2692 @v3.30.7, :2869 @v3.31.7). */
const HEALTHZ_FAILED = "BPF Proxy Healthz server failed";
/** Felix exits for runit to start it again (daemon.go :892 @v3.31.2 exitWithCustomRC, rc 129). */
const EXITING = "Exiting for config change";
/** Levels at which Felix's process ends (logrus Panic and Fatal; e.g. int_dataplane.go :1027 @v3.31.2). */
const ENDING_LEVELS = new Set(["PANIC", "FATAL"]);

/**
 * The eBPF programs' attach, per interface, in bpf_ep_mgr.go (@v3.31.2; the same messages @v3.30.3,
 * @v3.30.7, @v3.31.7): a data interface `Applied program to host interface` (id=, :2040) or
 * `Failed to apply policy to interface, will retry` (error=, iface=, :2049); a workload interface
 * `Updated workload interface.` (iface=, :2106) or `Failed to apply policy to endpoint, leaving it
 * dirty` (error=, name=, :2137); after an update `Interface remains dirty.` (name=, :1747, rate
 * limited) for each one still failing; felix/bpf/tc/attach.go `Failed to load program`
 * (attachPoint= with its Iface, :109, :176 @v3.31.2) just before the error.
 */
const ATTACH_FAILURES = [
    { message: "Failed to apply policy to interface, will retry", key: "iface" },
    { message: "Failed to apply policy to endpoint, leaving it dirty", key: "name" },
] as const;
const ATTACH_SUCCESSES = [
    { message: "Applied program to host interface", key: "id" },
    { message: "Updated workload interface.", key: "iface" },
] as const;
const STILL_DIRTY = { message: "Interface remains dirty.", key: "name" } as const;
const LOAD_FAILED = "Failed to load program";
const LOAD_FAILED_IFACE = /[{ ]Iface:"([^"]*)"/;

/** One line Felix logged. */
export interface FelixLine {
    /** When it was logged (ms since the epoch): the kubelet's timestamp, else Calico's own (UTC). */
    readonly at: number;
    readonly pid: number;
    readonly level: string;
    readonly message: string;
}

// `[<kubelet RFC 3339 time> ]<2006-01-02 15:04:05.000> [LEVEL][pid] felix/<file> <line>: <message>[ k=v...]`
const FELIX_LINE =
    /^(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \[([A-Z]+)\]\[(\d+)\] felix\/\S+ \S+: (.*)$/;

/** Felix's lines in a calico-node container log; other components' lines (confd, bird, libbpf, ...) are skipped. */
export function parseFelixLog(text: string): FelixLine[] {
    return text.split("\n").flatMap((raw) => {
        const match = FELIX_LINE.exec(raw.trimEnd());
        if (match === null) return [];
        const [, kubeletTime, calicoTime = "", level = "", pid = "", message = ""] = match;
        // Calico's timestamp carries no zone (logutils.go AppendTime cuts RFC 3339 at 23 characters).
        const at = Date.parse(kubeletTime ?? `${calicoTime.replace(" ", "T")}Z`);
        return Number.isNaN(at) ? [] : [{ at, pid: Number(pid), level, message }];
    });
}

/** One Felix process, as far as the log shows it. */
export interface FelixRun {
    readonly pid: number;
    /** Its first line in the log excerpt. */
    readonly firstLineAt: number;
    /**
     * When it started: its first line, if the excerpt shows its start (a PID after another one, or
     * CONFIG_LOADED, printed once at start); undefined when it may have started before the excerpt.
     */
    readonly startedAt: number | undefined;
    /** It logged BPF_START. */
    readonly bpf: boolean;
    /** It logged DRIVER_START: the connect-time load balancer's attach or detach is behind it. */
    readonly driverStarted: boolean;
    /** When it logged FIRST_UPDATE after DRIVER_START: its dataplane is programmed from then on. */
    readonly firstUpdateAt: number | undefined;
    /** The NFTablesMode it runs (Enabled, Disabled, Auto), if it logged it at INFO. */
    readonly nftablesMode: string | undefined;
    /** The address its kube-proxy health server started on (`:10258`), if it logged it. */
    readonly healthzAddress: string | undefined;
    /** Its last HEALTHZ_FAILED line, if any: when, and the error Felix logged with it. */
    readonly healthzFailure: { readonly at: number; readonly error: string } | undefined;
    /** The mode of CTLB_ENABLED (TCP, Enabled), if it logged it. */
    readonly connectTimeLoadBalancing: string | undefined;
    readonly connectTimeDetachFailed: boolean;
    /** The interfaces whose eBPF programs its latest attempt failed to attach, sorted. */
    readonly attachFailedOn: readonly string[];
    /** The error of its latest attach failure, as Felix logged it. */
    readonly attachError: string | undefined;
    /** How it ended, if it logged its end (a config-change exit, a panic). */
    readonly ended: { readonly at: number; readonly reason: string } | undefined;
}

/** A quoted field (`key="value"`, strconv.Quote) of a line; keys are sorted, so it ends the line or precedes later keys. */
function quotedField(message: string, key: string): string | undefined {
    const match = new RegExp(` ${key}="((?:[^"\\\\]|\\\\.)*)"`).exec(message);
    if (match?.[1] === undefined) return undefined;
    try {
        return JSON.parse(`"${match[1]}"`) as string;
    } catch {
        return match[1];
    }
}

/**
 * The error a line carries: Calico's formatter writes an error field unquoted, keys sorted
 * (libcalico-go/lib/logutils/logutils.go appendKVsAndNewLine @v3.31.2), so it runs to the next
 * key Felix logs with it, or to the end.
 */
function errorOf(message: string, nextKey?: string): string {
    const at = message.indexOf(" error=");
    if (at < 0) return message;
    const rest = message.slice(at + " error=".length);
    const end = nextKey === undefined ? -1 : rest.lastIndexOf(` ${nextKey}=`);
    return end < 0 ? rest : rest.slice(0, end);
}

interface RunBuilder {
    run: FelixRun;
    /** It logged CONFIG_LOADED. */
    loaded: boolean;
    readonly failed: Set<string>;
}

function newRun(line: FelixLine, startSeen: boolean): RunBuilder {
    return {
        loaded: false,
        failed: new Set(),
        run: {
            pid: line.pid,
            firstLineAt: line.at,
            startedAt: startSeen ? line.at : undefined,
            bpf: false,
            driverStarted: false,
            firstUpdateAt: undefined,
            nftablesMode: undefined,
            healthzAddress: undefined,
            healthzFailure: undefined,
            connectTimeLoadBalancing: undefined,
            connectTimeDetachFailed: false,
            attachFailedOn: [],
            attachError: undefined,
            ended: undefined,
        },
    };
}

/** The attach outcome a line reports: the interface, and for a failure the error if the line carries one. */
function attachOutcome(
    message: string,
): { iface: string; failed: false } | { iface: string; failed: true; error?: string } | undefined {
    for (const { message: head, key } of ATTACH_FAILURES) {
        const iface = message.startsWith(head) ? quotedField(message, key) : undefined;
        if (iface !== undefined) return { iface, failed: true, error: errorOf(message, key) };
    }
    for (const { message: head, key } of ATTACH_SUCCESSES) {
        const iface = message.startsWith(head) ? quotedField(message, key) : undefined;
        if (iface !== undefined) return { iface, failed: false };
    }
    if (message.startsWith(STILL_DIRTY.message)) {
        const iface = quotedField(message, STILL_DIRTY.key);
        if (iface !== undefined) return { iface, failed: true };
    }
    if (message.startsWith(LOAD_FAILED)) {
        const iface = LOAD_FAILED_IFACE.exec(message)?.[1];
        if (iface !== undefined) return { iface, failed: true };
    }
    return undefined;
}

function applyLine(builder: RunBuilder, line: FelixLine): void {
    const run = builder.run;
    const { message } = line;
    const nftables = message.startsWith(NFTABLES_PARSED)
        ? message.slice(NFTABLES_PARSED.length).split(" ")[0]
        : message.startsWith(CONFIG_LOADED)
          ? NFTABLES_IN_CONFIG.exec(message)?.[1]
          : undefined;
    const attach = run.bpf ? attachOutcome(message) : undefined;
    if (attach?.failed === true) builder.failed.add(attach.iface);
    if (attach?.failed === false) builder.failed.delete(attach.iface);
    const ending = ENDING_LEVELS.has(line.level)
        ? `${line.level.toLowerCase()}: ${message}`
        : message.startsWith(EXITING)
          ? `exited for a config change (${message.slice(EXITING.length).trim()})`
          : undefined;
    builder.run = {
        ...run,
        bpf: run.bpf || message.startsWith(BPF_START),
        driverStarted: run.driverStarted || message.startsWith(DRIVER_START),
        firstUpdateAt:
            run.firstUpdateAt ??
            (run.driverStarted && message.startsWith(FIRST_UPDATE) ? line.at : undefined),
        nftablesMode: nftables ?? run.nftablesMode,
        healthzAddress: message.startsWith(HEALTHZ_START)
            ? message.slice(HEALTHZ_START.length).trim()
            : run.healthzAddress,
        healthzFailure: message.startsWith(HEALTHZ_FAILED)
            ? { at: line.at, error: errorOf(message) }
            : run.healthzFailure,
        connectTimeLoadBalancing: message.startsWith(CTLB_ENABLED)
            ? message.slice(CTLB_ENABLED.length).trim()
            : run.connectTimeLoadBalancing,
        connectTimeDetachFailed:
            run.connectTimeDetachFailed || message.startsWith(CTLB_DETACH_FAILED),
        attachFailedOn: [...builder.failed].sort(),
        attachError:
            attach?.failed === true && attach.error !== undefined ? attach.error : run.attachError,
        ended: run.ended ?? (ending === undefined ? undefined : { at: line.at, reason: ending }),
    };
}

/**
 * Felix's processes in order of appearance. A new PID is a new run that started at its first
 * line; so is a second CONFIG_LOADED under one PID. The excerpt's first PID started in it only if
 * it logged CONFIG_LOADED; otherwise it may have started before, and its start is unknown.
 */
export function felixRuns(lines: readonly FelixLine[]): FelixRun[] {
    const builders: RunBuilder[] = [];
    for (const line of lines) {
        const current = builders.at(-1);
        const loaded = line.message.startsWith(CONFIG_LOADED);
        let builder = current;
        if (current === undefined || current.run.pid !== line.pid || (loaded && current.loaded)) {
            builder = newRun(line, current !== undefined || loaded);
            builders.push(builder);
        } else if (loaded) {
            // Its early lines (ERROR and above) belong to the same start.
            current.run = { ...current.run, startedAt: current.run.firstLineAt };
        }
        if (builder === undefined) continue;
        builder.loaded ||= loaded;
        applyLine(builder, line);
    }
    return builders.map((builder) => builder.run);
}

/**
 * What a Felix run's dataplane is: `nftables` is the non-eBPF driver with NFTablesMode Enabled, which
 * operator 1.40+ sets as soon as the Installation asks for BPF, before bpfEnabled (tigera/operator
 * pkg/controller/installation/core_controller.go setNftablesMode, InstallationSpec.IsNftables @v1.40.2).
 */
export type FelixMode = Dataplane | "nftables";

/**
 * The dataplane a run has programmed; undefined until its first update after its driver loop
 * started, also for an eBPF run, whose "BPF enabled" line comes before its maps, its programs and
 * its loop; and for a non-eBPF run whose NFTablesMode the log does not show (Felix prints it at
 * INFO only with its configuration, or when it parses it again), which the lab does not guess.
 */
export function runMode(run: FelixRun): FelixMode | undefined {
    if (run.firstUpdateAt === undefined) return undefined;
    if (run.bpf) return "bpf";
    if (run.nftablesMode === undefined) return undefined;
    return run.nftablesMode === "Enabled" ? "nftables" : "iptables";
}

/** A run's mode as the wait and verify name it: `bpf (nftablesMode Enabled)`, `iptables`. */
export function describeMode(run: FelixRun): string {
    const mode = runMode(run) ?? "no dataplane yet";
    return run.nftablesMode === undefined ? mode : `${mode} (nftablesMode ${run.nftablesMode})`;
}

/** A calico-node pod and its container's log from a given moment on. */
export interface CalicoNodePod {
    readonly name: string;
    readonly node: string;
    /** metadata.creationTimestamp (ms since the epoch): a rollout makes new pods. */
    readonly createdAt: number;
    readonly log: string;
}

/**
 * The nftables phase of a switch to eBPF on operator 1.40+, in words: Calico supports nftables only
 * with kube-proxy in nftables mode (docs.tigera.io calico/latest/getting-started/kubernetes/nftables),
 * and AKS's kube-proxy runs iptables.
 */
export const NFTABLES_PHASE =
    "the operator's nftables phase before eBPF: Felix runs nftables beside AKS's iptables " +
    "kube-proxy, which Calico does not support, until the operator sees calico-node rolled out and sets bpfEnabled";

const clockTime = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const describePod = (pod: CalicoNodePod): string => `node ${pod.node} (pod ${pod.name})`;

/** How long a quoted log line may be. */
const QUOTED_LINE_CHARS = 200;
const KUBELET_TIME = /^\d{4}-\d\d-\d\dT\S+ /;

/**
 * A new pod's last log line, as the wait quotes it while no Felix run shows: a Felix stuck before its
 * configuration loads prints only ERROR and above (see the top of this file), and a process that
 * dies before Felix starts prints no Felix line at all. Felix's level and message (without its
 * timestamps, so a repeated error reads the same), else the raw line; clipped.
 */
function lastLogLine(log: string): string {
    const raw = log.trimEnd().split("\n").at(-1)?.trim() ?? "";
    if (raw === "") return "its log is empty";
    const felix = parseFelixLog(raw)[0];
    const text =
        felix === undefined ? raw.replace(KUBELET_TIME, "") : `[${felix.level}] ${felix.message}`;
    return `its last line: ${clipped(text, QUOTED_LINE_CHARS)}`;
}

/** The Felix processes of a pod's log excerpt that started at or after `since`. */
function runsSince(pod: CalicoNodePod, since: number): FelixRun[] {
    return felixRuns(parseFelixLog(pod.log)).filter(
        (run) => run.startedAt !== undefined && run.startedAt >= since,
    );
}

/** Why a run that is not live is not, or undefined when it has programmed its dataplane. */
function notLive(run: FelixRun): string | undefined {
    if (run.ended !== undefined) return `ended at ${clockTime(run.ended.at)}Z: ${run.ended.reason}`;
    if (run.firstUpdateAt === undefined) {
        return run.driverStarted
            ? `started its dataplane driver loop, but has not logged "${FIRST_UPDATE}" yet`
            : `has not logged "${FIRST_UPDATE}" yet`;
    }
    if (run.bpf && run.attachFailedOn.length > 0) {
        return (
            `failed to attach its eBPF programs to ${run.attachFailedOn.join(", ")}` +
            (run.attachError === undefined ? "" : `: ${run.attachError}`)
        );
    }
    if (runMode(run) === undefined) {
        return `runs a non-eBPF dataplane whose NFTablesMode its log does not show (Felix prints it at INFO only with "${CONFIG_LOADED}")`;
    }
    return undefined;
}

/** What a pod's latest Felix since `since` still lacks to run `expected`; undefined when it does. */
function pendingRun(pod: CalicoNodePod, run: FelixRun, expected: Dataplane): string | undefined {
    const started = `Felix (pid ${run.pid}, started ${clockTime(run.startedAt ?? run.firstLineAt)}Z)`;
    const why = notLive(run);
    if (why !== undefined) return `${describePod(pod)}: ${started} ${why}`;
    const mode = runMode(run);
    if (mode === expected) return undefined;
    const running = `${describePod(pod)}: ${started} runs ${describeMode(run)}, want ${expected}`;
    return mode === "nftables" ? `${running} (${NFTABLES_PHASE})` : running;
}

/**
 * What the nodes still lack to run `expected` since the switch at `since` (ms); empty when every
 * calico-node pod shows it. A pod that changed since the switch (created after it, or whose Felix
 * restarted: a new PID) must show a Felix process that started after the switch, programmed its
 * dataplane in `expected` mode (FIRST_UPDATE) and, in eBPF mode, has no interface its programs
 * failed to attach to. A pod older than the switch whose Felix never restarted saw no setting
 * change it must restart for, so it still runs what it ran: the caller accepts it only where the
 * operator reports the switch done.
 */
export function pendingFelixDataplane(
    expected: Dataplane,
    since: number,
    pods: readonly CalicoNodePod[],
): string[] {
    if (pods.length === 0) return ["no calico-node pod found"];
    return pods.flatMap((pod) => {
        const latest = runsSince(pod, since).at(-1);
        if (latest === undefined) {
            return pod.createdAt < since
                ? []
                : [
                      `${describePod(pod)}: no Felix run logged since ${clockTime(since)}Z yet (${lastLogLine(pod.log)})`,
                  ];
        }
        return pendingRun(pod, latest, expected) ?? [];
    });
}

/** What the connect-time load balancer's removal still waits for, and what went wrong on the way. */
export interface CtlbDetach {
    readonly pending: readonly string[];
    readonly warnings: readonly string[];
}

/**
 * Whether every node's Felix has restarted in eBPF mode since `since` (the change of
 * bpfConnectTimeLoadBalancing to Disabled) and reached its driver loop without attaching the
 * connect-time load balancer: such a Felix ran the removal branch, which comes before the loop
 * (int_dataplane.go RemoveConnectTimeLoadBalancer :1031-1035 @v3.31.2, :963 @v3.30.7). Its tc
 * programs' attach does not matter here: this is the way back from eBPF, also from a broken one.
 * A node whose Felix runs iptables or nftables has no eBPF Felix left to detach anything.
 */
export function ctlbDetach(since: number, pods: readonly CalicoNodePod[]): CtlbDetach {
    const pending: string[] = [];
    const warnings: string[] = [];
    if (pods.length === 0) pending.push("no calico-node pod found");
    for (const pod of pods) {
        const latest = runsSince(pod, since).at(-1);
        if (latest === undefined) {
            pending.push(`${describePod(pod)}: Felix has not restarted since ${clockTime(since)}Z`);
            continue;
        }
        const felix = `${describePod(pod)}: Felix (pid ${latest.pid})`;
        if (latest.ended !== undefined) {
            pending.push(`${felix} ${notLive(latest) ?? ""}`);
        } else if (latest.connectTimeLoadBalancing !== undefined) {
            pending.push(
                `${felix} attached the connect-time load balancer (${latest.connectTimeLoadBalancing})`,
            );
        } else if (!latest.driverStarted) {
            pending.push(`${felix} has not started its dataplane driver loop yet`);
        } else if (latest.bpf && latest.connectTimeDetachFailed) {
            warnings.push(`${felix} logged "${CTLB_DETACH_FAILED}"`);
        }
    }
    return { pending, warnings };
}

/** Whether calico-node rolled (any of its pods was created) at or after `since`. */
export function calicoNodeRolledSince(since: number, pods: readonly CalicoNodePod[]): boolean {
    return pods.some((pod) => pod.createdAt >= since);
}

/** Felix's screen log levels, most verbose first (felix/config/config_params.go LogSeverityScreen "oneof(TRACE,DEBUG,INFO,WARNING,ERROR,FATAL);INFO" @v3.31.2). */
const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "FATAL"] as const;

/** The one-line fix for a Felix log level above Info. */
export const LOG_LEVEL_FIX = `kubectl patch felixconfiguration default --type merge -p '{"spec":{"logSeverityScreen":"Info"}}'`;

/**
 * Why the waits cannot see Felix's evidence at FelixConfiguration `default`'s
 * spec.logSeverityScreen, or undefined when they can: every line they read is Felix's INFO
 * (CONFIG_LOADED, FIRST_UPDATE, ...), so a level above Info hides it for good. Unset is Felix's
 * default, INFO; calico-node's startup writes "Info" there when it is empty (node/pkg/lifecycle/
 * startup/startup.go :76, :1268, :1291-1292 @v3.31.2). The CRD takes the names in any case
 * (crd.projectcalico.org_felixconfigurations.yaml pattern ^(?i)(Trace|Debug|Info|Warning|Error|Fatal)?$).
 */
export function felixLogLevelProblem(logSeverityScreen: string | undefined): string | undefined {
    const level = (logSeverityScreen ?? "").toUpperCase();
    const rank = LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
    if (rank <= LOG_LEVELS.indexOf("INFO")) return undefined;
    return (
        `FelixConfiguration default spec.logSeverityScreen is "${logSeverityScreen ?? ""}": Felix logs ` +
        `nothing below it, and the lab reads Felix's Info lines ("${FIRST_UPDATE}") to see the dataplane ` +
        `live, so it would wait in vain; set it to Info: ${LOG_LEVEL_FIX}`
    );
}
