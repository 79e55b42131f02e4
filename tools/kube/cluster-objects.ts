/**
 * What the lab reads out of raw Kubernetes API objects. Pure, so it is tested on recorded objects;
 * kube.ts fetches them.
 */
import { isIP } from "node:net";
import { field, numberAt } from "../../core/unstructured";
import type {
    CalicoSnapshot,
    Condition,
    NodeNotReady,
    RolloutStatus,
} from "../../core/convergence";
import { dataplaneOf, type Dataplane } from "../../core/dataplane";
import { heldOnlyByLab, orphanedProviderHolds } from "../../core/managed-fields";
import type { EbpfFlipFacts } from "../../core/ctlb-kernel-guard";
import { CONNECT_TIME_LOAD_BALANCING_PATH } from "../../core/calico-objects";

/** The objects a Calico snapshot is made of; undefined where the object does not exist. */
export interface CalicoObjects {
    readonly installation: unknown;
    readonly felixConfiguration: unknown;
    readonly calicoNodeDaemonSet: unknown;
    readonly tigeraStatus: unknown;
    /** The cluster's nodes (the wait names those not Ready); none when not read. */
    readonly nodes?: readonly unknown[];
}

export function calicoSnapshotFrom(objects: CalicoObjects): CalicoSnapshot {
    const bpfEnabled = field(objects.felixConfiguration, "spec", "bpfEnabled");
    const nftablesMode = field(objects.felixConfiguration, "spec", "nftablesMode");
    const logSeverityScreen = field(objects.felixConfiguration, "spec", "logSeverityScreen");
    const dataplane = field(objects.installation, "spec", "calicoNetwork", "linuxDataplane");
    const conditions = field(objects.tigeraStatus, "status", "conditions");
    return {
        linuxDataplane: typeof dataplane === "string" ? dataplane : undefined,
        installationGeneration: numberAt(objects.installation, "metadata", "generation"),
        felixConfigurationFound: objects.felixConfiguration !== undefined,
        felixBpfEnabled: typeof bpfEnabled === "boolean" ? bpfEnabled : undefined,
        felixNftablesMode: typeof nftablesMode === "string" ? nftablesMode : undefined,
        felixLogSeverityScreen:
            typeof logSeverityScreen === "string" ? logSeverityScreen : undefined,
        calicoNode:
            objects.calicoNodeDaemonSet === undefined
                ? undefined
                : daemonSetRollout(objects.calicoNodeDaemonSet),
        tigeraStatus:
            objects.tigeraStatus === undefined
                ? undefined
                : Array.isArray(conditions)
                  ? (conditions as Condition[])
                  : [],
        notReadyNodes: (objects.nodes ?? []).flatMap(notReady),
    };
}

/** A Linux node whose Ready condition is not True (Windows nodes run no calico-node). */
function notReady(node: unknown): NodeNotReady[] {
    if (field(node, "metadata", "labels", "kubernetes.io/os") !== "linux") return [];
    const conditions = field(node, "status", "conditions");
    const ready: unknown = Array.isArray(conditions)
        ? (conditions as unknown[]).find((c) => field(c, "type") === "Ready")
        : undefined;
    const status = field(ready, "status");
    if (status === "True") return [];
    const reason = field(ready, "reason");
    return [
        {
            name: String(field(node, "metadata", "name")),
            status: typeof status === "string" ? status : "missing",
            ...(typeof reason === "string" ? { reason } : {}),
        },
    ];
}

function daemonSetRollout(daemonSet: unknown): RolloutStatus {
    return {
        generation: numberAt(daemonSet, "metadata", "generation"),
        observedGeneration: numberAt(daemonSet, "status", "observedGeneration"),
        desired: numberAt(daemonSet, "status", "desiredNumberScheduled") ?? 0,
        updated: numberAt(daemonSet, "status", "updatedNumberScheduled") ?? 0,
        available: numberAt(daemonSet, "status", "numberAvailable") ?? 0,
    };
}

export function deploymentRollout(deployment: unknown): RolloutStatus {
    const updated = numberAt(deployment, "status", "updatedReplicas") ?? 0;
    return {
        generation: numberAt(deployment, "metadata", "generation"),
        observedGeneration: numberAt(deployment, "status", "observedGeneration"),
        desired: numberAt(deployment, "spec", "replicas") ?? 1,
        updated,
        available: numberAt(deployment, "status", "availableReplicas") ?? 0,
        stale: Math.max(0, (numberAt(deployment, "status", "replicas") ?? 0) - updated),
    };
}

/**
 * The dataplane Calico runs, from what the Installation asks and what the operator has told Felix;
 * "switching" while the two disagree, undefined when the Installation cannot be read.
 */
export function liveDataplane(snapshot: CalicoSnapshot): Dataplane | "switching" | undefined {
    if (snapshot.linuxDataplane === undefined) return undefined;
    const asksBpf = dataplaneOf(snapshot.linuxDataplane) === "bpf";
    const felixBpf = snapshot.felixBpfEnabled ?? false;
    if (asksBpf !== felixBpf) return "switching";
    return asksBpf ? "bpf" : "iptables";
}

/** The InternalIP addresses of the nodes (Node status.addresses). */
export function nodeInternalIps(nodes: readonly unknown[]): string[] {
    return nodes.flatMap((node) => {
        const addresses = field(node, "status", "addresses");
        if (!Array.isArray(addresses)) return [];
        return addresses
            .filter((a) => field(a, "type") === "InternalIP")
            .map((a) => field(a, "address"))
            .filter((a): a is string => typeof a === "string" && isIP(a) !== 0);
    });
}

/** What a flip to eBPF reads before it writes: the Installation, FelixConfiguration and the nodes. */
export interface EbpfFlipObjects {
    readonly installation: unknown;
    readonly felixConfiguration: unknown;
    readonly nodes: readonly unknown[];
}

/**
 * The facts of core/ctlb-kernel-guard.ts. Towards eBPF the lab hands bpfConnectTimeLoadBalancing
 * back (components/calico/calico-spec.ts connectTimeLoadBalancingSpec), so a value only the lab's
 * own applies hold is gone after the flip, and Felix's default applies; a value another manager
 * holds stays.
 */
export function ebpfFlipFactsFrom(objects: EbpfFlipObjects): EbpfFlipFacts {
    const text = (value: unknown): string | undefined =>
        typeof value === "string" && value !== "" ? value : undefined;
    const ctlb = text(field(objects.felixConfiguration, "spec", "bpfConnectTimeLoadBalancing"));
    const metadata = field(objects.felixConfiguration, "metadata");
    const handedBack = heldOnlyByLab(metadata, CONNECT_TIME_LOAD_BALANCING_PATH);
    return {
        calicoVersion: text(field(objects.installation, "status", "calicoVersion")),
        connectTimeLoadBalancing: handedBack ? undefined : ctlb,
        orphanedCtlbManagers: orphanedProviderHolds(metadata, CONNECT_TIME_LOAD_BALANCING_PATH),
        nodes: objects.nodes.map((node) => ({
            name: text(field(node, "metadata", "name")) ?? "unknown",
            kernelVersion: text(field(node, "status", "nodeInfo", "kernelVersion")),
        })),
    };
}
