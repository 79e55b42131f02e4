/**
 * When is a dataplane switch, or a rolling restart, really done? Pure judgments over what the
 * cluster reports; the tools poll the cluster and ask these functions.
 */
import {
    CALICO_NODE_TITLE,
    describeObject,
    FELIX_CONFIGURATION,
    INSTALLATION,
    TIGERA_STATUS,
} from "./calico-objects";
import { LINUX_DATAPLANE, type Dataplane } from "./dataplane";
import { NFTABLES_PHASE } from "./felix-log";

const INSTALLATION_TITLE = describeObject(INSTALLATION);
const FELIX_TITLE = describeObject(FELIX_CONFIGURATION);
const STATUS_TITLE = describeObject(TIGERA_STATUS);

export interface RolloutStatus {
    readonly generation?: number;
    readonly observedGeneration?: number;
    /** DaemonSet desiredNumberScheduled, or Deployment spec.replicas. */
    readonly desired: number;
    /** DaemonSet updatedNumberScheduled, or Deployment updatedReplicas. */
    readonly updated: number;
    /** DaemonSet numberAvailable, or Deployment availableReplicas. */
    readonly available: number;
    /** Pods of older revisions still running (Deployment replicas - updatedReplicas). */
    readonly stale?: number;
}

export interface Condition {
    readonly type: string;
    readonly status: string;
    readonly observedGeneration?: number;
    readonly message?: string;
}

/** A Linux node whose Ready condition is not True, as the node-lifecycle controller reports it. */
export interface NodeNotReady {
    readonly name: string;
    /** The Ready condition's status (False or Unknown; "missing" when the node has none). */
    readonly status: string;
    readonly reason?: string;
}

/** What the cluster says about Calico at one moment. */
export interface CalicoSnapshot {
    /** Installation `default` spec.calicoNetwork.linuxDataplane and metadata.generation. */
    readonly linuxDataplane: string | undefined;
    readonly installationGeneration: number | undefined;
    /** Whether FelixConfiguration `default` exists (the operator creates it). */
    readonly felixConfigurationFound: boolean;
    /** FelixConfiguration `default` spec.bpfEnabled, which only the operator writes. */
    readonly felixBpfEnabled: boolean | undefined;
    /** FelixConfiguration `default` spec.nftablesMode, which only the operator writes (1.40+: Enabled under BPF). */
    readonly felixNftablesMode?: string | undefined;
    /** FelixConfiguration `default` spec.logSeverityScreen: which of Felix's lines its log holds. */
    readonly felixLogSeverityScreen?: string | undefined;
    /** The calico-node DaemonSet, if found. */
    readonly calicoNode: RolloutStatus | undefined;
    /** TigeraStatus `calico` conditions (Available, Progressing, Degraded). */
    readonly tigeraStatus: readonly Condition[] | undefined;
    /** Linux nodes not Ready: calico-node cannot roll there, nor its Felix switch. */
    readonly notReadyNodes?: readonly NodeNotReady[];
}

/** What a rollout still waits for; empty when every replica runs the current revision and is available. */
export function pendingRollout(name: string, status: RolloutStatus | undefined): string[] {
    if (status === undefined) return [`${name} not found`];
    const pending: string[] = [];
    if ((status.observedGeneration ?? 0) < (status.generation ?? 0)) {
        pending.push(
            `${name}: controller has not observed generation ${status.generation ?? 0} yet`,
        );
    }
    if (status.updated < status.desired) {
        pending.push(`${name}: ${status.updated} of ${status.desired} updated`);
    }
    if (status.available < status.desired) {
        pending.push(`${name}: ${status.available} of ${status.desired} available`);
    }
    if ((status.stale ?? 0) > 0) {
        pending.push(`${name}: ${status.stale ?? 0} old replica(s) still running`);
    }
    return pending;
}

/**
 * What the switch to `expected` still waits for; empty when it is live:
 * - the Installation asks for the dataplane;
 * - FelixConfiguration bpfEnabled matches: the operator sets it true once it reads calico-node as
 *   rolled out with the BPF volumes (from its cache, so possibly as a last roll starts: hence the
 *   rollout below), and false at once when leaving BPF (tigera/operator
 *   pkg/controller/installation/core_controller.go setBPFUpdatesOnFelixConfiguration @v1.38.6);
 * - the calico-node DaemonSet rollout is complete;
 * - TigeraStatus `calico` is Available, neither Progressing nor Degraded, for this Installation
 *   generation (tigera/operator pkg/controller/status/status.go @v1.42.4 sets observedGeneration).
 */
export function pendingSwitch(expected: Dataplane, snapshot: CalicoSnapshot): string[] {
    const pending: string[] = [];
    const wanted = LINUX_DATAPLANE[expected];
    if (snapshot.linuxDataplane !== wanted) {
        pending.push(
            `${INSTALLATION_TITLE}: linuxDataplane is ${snapshot.linuxDataplane ?? "unset"}, want ${wanted}`,
        );
    }
    const wantBpf = expected === "bpf";
    if ((snapshot.felixBpfEnabled ?? false) !== wantBpf) {
        // Operator 1.40+ writes nftablesMode Enabled at the start of the reconcile that asks for BPF
        // and bpfEnabled only once it reads calico-node as rolled out (tigera/operator
        // pkg/controller/installation/core_controller.go setNftablesMode, setBPFUpdatesOnFelixConfiguration
        // @v1.40.2; also @v1.42.4; 1.36 and 1.38 write Disabled): between the two Felix runs nftables.
        const phase =
            wantBpf && snapshot.felixNftablesMode === "Enabled"
                ? `; nftablesMode is Enabled: ${NFTABLES_PHASE}`
                : "";
        pending.push(
            `${FELIX_TITLE}: bpfEnabled is ${String(snapshot.felixBpfEnabled ?? "unset")}, ` +
                `want ${String(wantBpf)} (set by the operator)${phase}`,
        );
    }
    pending.push(...pendingRollout(CALICO_NODE_TITLE, snapshot.calicoNode));
    pending.push(...pendingTigeraStatus(snapshot));
    return pending;
}

function pendingTigeraStatus(snapshot: CalicoSnapshot): string[] {
    if (snapshot.tigeraStatus === undefined) return [`${STATUS_TITLE} not found`];
    const wantedStatus: Record<string, string> = {
        Available: "True",
        Progressing: "False",
        Degraded: "False",
    };
    const pending: string[] = [];
    for (const [type, status] of Object.entries(wantedStatus)) {
        const condition = snapshot.tigeraStatus.find((c) => c.type === type);
        if (condition?.status !== status) {
            const detail = condition?.message ? `: ${condition.message}` : "";
            pending.push(`${STATUS_TITLE}: ${type} is ${condition?.status ?? "missing"}${detail}`);
        } else if (
            condition.observedGeneration !== undefined &&
            snapshot.installationGeneration !== undefined &&
            condition.observedGeneration < snapshot.installationGeneration
        ) {
            pending.push(
                `${STATUS_TITLE}: ${type} reflects Installation generation ` +
                    `${condition.observedGeneration}, not ${snapshot.installationGeneration}`,
            );
        }
    }
    return pending;
}

/**
 * What a fresh cluster still lacks before the lab may patch Calico: AKS creates the Installation,
 * the operator then registers the Calico CRDs, creates FelixConfiguration `default` and reports
 * TigeraStatus `calico`. A patch sent earlier would fail on the missing CRD, or create a partial
 * object in the operator's place.
 */
export function pendingCalicoReady(snapshot: CalicoSnapshot): string[] {
    const pending: string[] = [];
    if (snapshot.linuxDataplane === undefined) pending.push(`${INSTALLATION_TITLE} not found`);
    if (!snapshot.felixConfigurationFound) pending.push(`${FELIX_TITLE} not found`);
    const available = snapshot.tigeraStatus?.find((c) => c.type === "Available");
    if (available?.status !== "True") {
        pending.push(`${STATUS_TITLE}: Available is ${available?.status ?? "missing"}`);
    }
    return pending;
}

/**
 * What a wait still waits for, with the nodes that are not Ready first: on such a node the
 * DaemonSet controller cannot replace calico-node (its old pod is never confirmed gone), so the roll
 * and the operator's bpfEnabled stall there, and its Felix's log cannot be read. Nothing when
 * nothing else is pending: a node down after the switch does not undo it.
 */
export function withNodesNotReady(
    pending: readonly string[],
    snapshot: Pick<CalicoSnapshot, "notReadyNodes">,
): string[] {
    if (pending.length === 0) return [];
    const nodes = (snapshot.notReadyNodes ?? []).map(
        (node) =>
            `node ${node.name} is not Ready (${node.status}${node.reason === undefined ? "" : `: ${node.reason}`})`,
    );
    return [...nodes, ...pending];
}
