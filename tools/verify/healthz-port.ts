/**
 * Whether each node's eBPF Felix serves kube-proxy's health check on the port it is told to, as far as
 * Felix's own log shows. verify reads the API server only (objects and pod logs), never a node's
 * sockets: it sees Felix fail to bind the port, and so a port some other process holds, but it cannot
 * name that process. Pure: verify reads the objects and the calico-node logs.
 */
import { kubeProxyHealthzPortFieldOf } from "../../core/calico-objects";
import { felixRuns, parseFelixLog, type CalicoNodePod } from "../../core/felix-log";
import type { ClusterEnvironment } from "../kube/environment";

/**
 * Felix's default healthz port when the field it reads is not set, also kube-proxy's own port, which
 * AKS's kube-proxy holds (projectcalico/calico felix/config/config_params.go "int;10256;non-zero" @v3.31.7).
 */
const FELIX_DEFAULT_HEALTHZ_PORT = 10256;

/** How far back verify reads calico-node's logs: an eBPF Felix that cannot bind logs it every second. */
export const HEALTHZ_LOG_WINDOW_SECONDS = 120;
/** A bind failure older than this (before the read) has stopped: the server bound the port since. */
const FAILING_NOW_MS = 15_000;

export interface HealthzNode {
    readonly node: string;
    /** `felix`: its log shows it serving; `other`: it failed to bind, so another process holds the port. */
    readonly servedBy: "felix" | "other" | "unknown";
    readonly detail: string;
}

export interface HealthzCheck {
    /** The port the live Felix serves kube-proxy's health check on; undefined when it serves none. */
    readonly port: number | undefined;
    /** Where the port comes from, in words. */
    readonly source: string;
    readonly nodes: readonly HealthzNode[];
    /** What is wrong and what to do, in one line; undefined when nothing is. */
    readonly problem: string | undefined;
}

const clock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)}Z`;

/** The port in `:10258` or in Felix's error (`failed to start proxy healthz on :10258: ...`). */
const portIn = (text: string | undefined): number | undefined => {
    const match = /:(\d{2,5})\b/.exec(text ?? "");
    return match?.[1] === undefined ? undefined : Number(match[1]);
};

/** The port Felix serves on and why: the field this Calico reads if the FelixConfiguration sets it, else 10256. */
function effectivePort(environment: ClusterEnvironment): {
    port: number | undefined;
    source: string;
    misnamed: string | undefined;
} {
    const configured = environment.kubeProxyHealthzPort;
    const version = environment.calicoVersion ?? "unknown";
    const read = kubeProxyHealthzPortFieldOf(environment.calicoVersion);
    if (read === "none") {
        return {
            port: undefined,
            source: `Calico ${version} starts no kube-proxy health server`,
            misnamed: undefined,
        };
    }
    if (configured !== undefined && (read === undefined || configured.field === read)) {
        return { port: configured.port, source: configured.field, misnamed: undefined };
    }
    if (read === undefined) {
        return {
            port: FELIX_DEFAULT_HEALTHZ_PORT,
            source: "not set: Felix's default",
            misnamed: undefined,
        };
    }
    const sets = configured === undefined ? "sets no healthz port" : `sets ${configured.field}`;
    return {
        port: FELIX_DEFAULT_HEALTHZ_PORT,
        source: `Felix's default: Calico ${version} reads ${read}`,
        misnamed:
            `FelixConfiguration ${sets}, but Calico ${version} reads ${read}, so Felix serves ` +
            `kube-proxy's health check on ${FELIX_DEFAULT_HEALTHZ_PORT}, where AKS's kube-proxy listens ` +
            "(an AKS upgrade renamed the field): run `npm run lab -- up`",
    };
}

/** One node's Felix, from the latest Felix process in its log over the window before `now`. */
function nodeFacts(pod: CalicoNodePod, now: number, port: number): HealthzNode {
    const since = now - HEALTHZ_LOG_WINDOW_SECONDS * 1000;
    const lines = parseFelixLog(pod.log).filter((line) => line.at >= since);
    const latest = felixRuns(lines).at(-1);
    const window = `the last ${HEALTHZ_LOG_WINDOW_SECONDS} s`;
    if (latest === undefined) {
        return {
            node: pod.node,
            servedBy: "unknown",
            detail: `no Felix line in ${window} of pod ${pod.name}'s log`,
        };
    }
    const felix = `Felix (pid ${latest.pid})`;
    const failure = latest.healthzFailure;
    if (failure !== undefined && failure.at >= now - FAILING_NOW_MS) {
        const failedPort = portIn(latest.healthzAddress) ?? portIn(failure.error) ?? port;
        return {
            node: pod.node,
            servedBy: "other",
            detail:
                `${felix} cannot bind :${failedPort} (last at ${clock(failure.at)}: ${failure.error}); ` +
                "another process holds it",
        };
    }
    const started =
        latest.healthzAddress === undefined
            ? ""
            : ` started its server on ${latest.healthzAddress} at ${clock(latest.startedAt ?? since)} and`;
    const noFailure =
        failure === undefined
            ? `logged no bind failure in ${window}`
            : `logged its last bind failure at ${clock(failure.at)}, none since`;
    return {
        node: pod.node,
        servedBy: "felix",
        detail: `${felix}${started} ${noFailure} (it logs one every second while the port is taken)`,
    };
}

/** The one command that shows which process listens on `port` on `node` (MicrosoftDocs/azure-aks-docs articles/aks/node-access.md). */
export const listenerCommand = (node: string, port: number): string =>
    `kubectl debug node/${node} -it --profile=sysadmin --image=mcr.microsoft.com/azurelinux/busybox:1.36 ` +
    `-- chroot /host ss -ltnp 'sport = :${port}'`;

/**
 * Checks the kube-proxy health port of a live eBPF dataplane: that the FelixConfiguration sets the
 * field the running Calico reads (the field was renamed at 3.30.5: projectcalico/calico commit
 * 32c93930), and that each node's Felix, per its log up to `now`, is not failing to bind the port
 * (int_dataplane.go "BPF Proxy Healthz server failed, restarting in 1s" @v3.30.7, @v3.31.7).
 */
export function checkHealthzPort(
    environment: ClusterEnvironment,
    pods: readonly CalicoNodePod[],
    now: number,
): HealthzCheck {
    const { port, source, misnamed } = effectivePort(environment);
    if (port === undefined) return { port, source, nodes: [], problem: undefined };
    const nodes = pods.map((pod) => nodeFacts(pod, now, port));
    const taken = nodes.filter((node) => node.servedBy === "other");
    const [first] = taken;
    const problem =
        misnamed ??
        (first === undefined
            ? undefined
            : `Felix cannot serve kube-proxy's health check on :${port} on ${taken
                  .map((node) => node.node)
                  .join(
                      ", ",
                  )}: another process holds the port, which verify cannot name (it reads ` +
              `Felix's log, not the node's sockets); see it with \`${listenerCommand(first.node, port)}\`` +
              (port === FELIX_DEFAULT_HEALTHZ_PORT
                  ? "; 10256 is kube-proxy's own port: run `npm run lab -- up` to move Felix off it"
                  : ""));
    return { port, source, nodes, problem };
}
