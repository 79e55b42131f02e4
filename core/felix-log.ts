/**
 * What Felix's own log says about the dataplane it runs, per calico-node pod. Pure: the tools read
 * the pods and their logs (kubelet timestamps on) and ask these functions.
 *
 * Felix restarts inside the running calico-node container whenever a setting it cannot apply live
 * changes (bpfEnabled, bpfConnectTimeLoadBalancing, the healthz port: projectcalico/calico
 * felix/daemon/daemon.go @v3.30.3 handledConfigChanges, exit code 129), and runit starts a new
 * process (node/filesystem/etc/service/available/felix/run): a new PID in the same container, so
 * neither the pod nor its restartCount shows it. Readiness notices a probe period (30 s) or more
 * later. So the evidence is the log: each Felix process logs its start, then the dataplane it
 * starts, with its PID on every line (libcalico-go/lib/logutils/logutils.go @v3.30.3: " [LEVEL][pid] felix/").
 */
import type { Dataplane } from "./dataplane";

/** Logged first by every Felix process (felix/daemon/daemon.go @v3.30.3..v3.32.1). */
const FELIX_START = "Felix starting up";
/**
 * Logged when Felix starts its eBPF dataplane, in NewIntDataplaneDriver: before the BPF maps, the
 * connect-time load balancer's attach or detach and the driver loop (felix/dataplane/linux/int_dataplane.go
 * :860, :961-966, :2066 @v3.30.7; :934, :1052-1057, :2233 @v3.31.7). Alone it proves nothing is live yet.
 */
const BPF_START = "BPF enabled, starting BPF endpoint manager and map manager.";
/**
 * Logged once the dataplane driver runs, in every mode (iptables, nftables, eBPF) and after the
 * eBPF-only setup (int_dataplane.go loopUpdatingDataplane @v3.29.5..v3.32.1): the dataplane a run
 * counts as running only from this line on.
 */
const DRIVER_START = "Started internal iptables dataplane driver loop";
/**
 * Felix's NFTablesMode as it parsed it from its configuration, logged at every load (felix/config/
 * config_params.go UpdateFrom "Parsed value for %v: %v (from %v)" @v3.29.5..v3.32.1). The operator
 * writes it into FelixConfiguration, never into calico-node's environment (tigera/operator
 * pkg/render/node.go @v1.40.2 sets no FELIX_NFTABLESMODE), so this line is the run's own evidence.
 */
const NFTABLES_PARSED = "Parsed value for NFTablesMode: ";
/** Logged in eBPF mode unless bpfConnectTimeLoadBalancing is Disabled (int_dataplane.go @v3.30.3..v3.32.1). */
const CTLB_ENABLED = "Connect time load balancer enabled: ";
/** Logged when Felix could not detach the connect-time load balancer (int_dataplane.go @v3.30.3..v3.32.1). */
const CTLB_DETACH_FAILED = "Failed to detach connect-time load balancer. Ignoring.";
/**
 * An eBPF Felix serving kube-proxy's health check: logged once, with the address, as it starts the
 * server (int_dataplane.go startBPFDataplaneComponents :2688 @v3.30.7, :2865 @v3.31.7; not in
 * 3.30.4, whose server starts without a line; no server before 3.30.4).
 */
const HEALTHZ_START = "Starting BPF Proxy Healthz server on ";
/** Logged every second while that server cannot run, e.g. its port is taken (int_dataplane.go :2692 @v3.30.7, :2869 @v3.31.7). */
const HEALTHZ_FAILED = "BPF Proxy Healthz server failed";

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

/** Felix's lines in a calico-node container log; other components' lines (confd, bird, ...) are skipped. */
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
    /** When it logged FELIX_START; undefined when it started before the log excerpt. */
    readonly startedAt: number | undefined;
    /** It logged BPF_START. */
    readonly bpf: boolean;
    /** It logged DRIVER_START: its dataplane, and the connect-time load balancer, are set up. */
    readonly driverStarted: boolean;
    /** The NFTablesMode it last parsed (Enabled, Disabled, Auto), if its start is in the excerpt. */
    readonly nftablesMode: string | undefined;
    /** The address its kube-proxy health server started on (`:10258`), if it logged it. */
    readonly healthzAddress: string | undefined;
    /** Its last HEALTHZ_FAILED line, if any: when, and the error Felix logged with it. */
    readonly healthzFailure: { readonly at: number; readonly error: string } | undefined;
    /** The mode of CTLB_ENABLED (TCP, Enabled), if it logged it. */
    readonly connectTimeLoadBalancing: string | undefined;
    readonly connectTimeDetachFailed: boolean;
}

/** Felix's processes in order of appearance; a start line begins a new run even if a PID repeats. */
export function felixRuns(lines: readonly FelixLine[]): FelixRun[] {
    const runs: FelixRun[] = [];
    const current = new Map<number, number>();
    for (const line of lines) {
        let index = current.get(line.pid);
        if (index === undefined || line.message.startsWith(FELIX_START)) {
            index = runs.length;
            current.set(line.pid, index);
            runs.push({
                pid: line.pid,
                startedAt: line.message.startsWith(FELIX_START) ? line.at : undefined,
                bpf: false,
                driverStarted: false,
                nftablesMode: undefined,
                healthzAddress: undefined,
                healthzFailure: undefined,
                connectTimeLoadBalancing: undefined,
                connectTimeDetachFailed: false,
            });
        }
        const run = runs[index] as FelixRun;
        runs[index] = {
            ...run,
            bpf: run.bpf || line.message.startsWith(BPF_START),
            driverStarted: run.driverStarted || line.message.startsWith(DRIVER_START),
            nftablesMode: line.message.startsWith(NFTABLES_PARSED)
                ? (line.message.slice(NFTABLES_PARSED.length).split(" ")[0] ?? run.nftablesMode)
                : run.nftablesMode,
            healthzAddress: line.message.startsWith(HEALTHZ_START)
                ? line.message.slice(HEALTHZ_START.length).trim()
                : run.healthzAddress,
            healthzFailure: line.message.startsWith(HEALTHZ_FAILED)
                ? { at: line.at, error: errorOf(line.message) }
                : run.healthzFailure,
            connectTimeLoadBalancing: line.message.startsWith(CTLB_ENABLED)
                ? line.message.slice(CTLB_ENABLED.length).trim()
                : run.connectTimeLoadBalancing,
            connectTimeDetachFailed:
                run.connectTimeDetachFailed || line.message.startsWith(CTLB_DETACH_FAILED),
        };
    }
    return runs;
}

/**
 * What a Felix run's dataplane is: `nftables` is the non-eBPF driver with NFTablesMode Enabled, which
 * operator 1.40+ sets as soon as the Installation asks for BPF, before bpfEnabled (tigera/operator
 * pkg/controller/installation/core_controller.go setNftablesMode, InstallationSpec.IsNftables @v1.40.2).
 */
export type FelixMode = Dataplane | "nftables";

/**
 * The dataplane a run runs; undefined until its driver loop started, also for an eBPF run, whose
 * "BPF enabled" line comes before its maps, its connect-time load balancer and its driver loop.
 */
export function runMode(run: FelixRun): FelixMode | undefined {
    if (!run.driverStarted) return undefined;
    if (run.bpf) return "bpf";
    return run.nftablesMode === "Enabled" ? "nftables" : "iptables";
}

/** A run's mode as the wait and verify name it: `bpf (nftablesMode Enabled)`, `iptables`. */
export function describeMode(run: FelixRun): string {
    const mode = runMode(run) ?? "no dataplane yet";
    return run.nftablesMode === undefined ? mode : `${mode} (nftablesMode ${run.nftablesMode})`;
}

/**
 * The error a line carries: Calico's formatter writes an error field unquoted, keys sorted, so on a
 * line whose only field is `error` it runs to the end (libcalico-go/lib/logutils/logutils.go
 * appendKVsAndNewLine @v3.31.2).
 */
function errorOf(message: string): string {
    const at = message.indexOf(" error=");
    return at < 0 ? message : message.slice(at + " error=".length);
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
    "kube-proxy, which Calico does not support, until bpfEnabled is set after the calico-node rollout";

const clockTime = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const describePod = (pod: CalicoNodePod): string => `node ${pod.node} (pod ${pod.name})`;

/** The Felix processes that started at or after `since`, from a pod's log. */
function runsSince(pod: CalicoNodePod, since: number): FelixRun[] {
    const lines = parseFelixLog(pod.log).filter((line) => line.at >= since);
    return felixRuns(lines).filter((run) => run.startedAt !== undefined);
}

/** What a pod's latest Felix since `since` still lacks to run `expected`; undefined when it does. */
function pendingRun(pod: CalicoNodePod, run: FelixRun, expected: Dataplane): string | undefined {
    const mode = runMode(run);
    const started = `Felix (pid ${run.pid}, started ${clockTime(run.startedAt ?? 0)}Z)`;
    if (mode === undefined)
        return `${describePod(pod)}: ${started} has not started its dataplane driver loop yet`;
    if (mode === expected) return undefined;
    const running = `${describePod(pod)}: ${started} runs ${describeMode(run)}, want ${expected}`;
    return mode === "nftables" ? `${running} (${NFTABLES_PHASE})` : running;
}

/**
 * What the nodes still lack to run `expected` since the switch at `since` (ms); empty when every
 * calico-node pod shows it. A pod that changed since the switch (created after it, or whose Felix
 * restarted) must show a Felix process that started after the switch and started `expected`. A pod
 * older than the switch whose Felix never restarted saw no setting change it must restart for, so
 * it still runs what it ran: the caller accepts it only where the operator reports the switch done.
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
                : [`${describePod(pod)}: no Felix start logged since ${clockTime(since)}Z yet`];
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
 * (int_dataplane.go RemoveConnectTimeLoadBalancer @v3.30.7, @v3.31.7). A node whose Felix runs
 * iptables or nftables has no eBPF Felix left to detach anything, and is not waited for.
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
        const mode = runMode(latest);
        if (mode === "iptables" || mode === "nftables") continue;
        const waiting = pendingRun(pod, latest, "bpf");
        if (waiting !== undefined) pending.push(waiting);
        else if (latest.connectTimeLoadBalancing !== undefined) {
            pending.push(
                `${describePod(pod)}: Felix (pid ${latest.pid}) attached the connect-time load ` +
                    `balancer (${latest.connectTimeLoadBalancing})`,
            );
        } else if (latest.connectTimeDetachFailed) {
            warnings.push(`${describePod(pod)}: Felix logged "${CTLB_DETACH_FAILED}"`);
        }
    }
    return { pending, warnings };
}

/** Whether calico-node rolled (any of its pods was created) at or after `since`. */
export function calicoNodeRolledSince(since: number, pods: readonly CalicoNodePod[]): boolean {
    return pods.some((pod) => pod.createdAt >= since);
}
