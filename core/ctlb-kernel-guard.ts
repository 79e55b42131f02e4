/**
 * Whether a flip to eBPF would crash-loop calico-node. Kernels from 6.12 on refuse a tail call
 * between cgroup programs of different attach types that share one program array, which Calico's
 * connect-time load balancer made until "Split program maps used for ctlb" (projectcalico/calico
 * #11399, issue #11302; in v3.29.7, v3.30.5, v3.31.3, and every 3.32). Without it Felix in eBPF mode
 * panics when it attaches the load balancer (felix/dataplane/linux/int_dataplane.go :1027
 * @v3.31.2, :956 @v3.30.3: "BPFConnTimeLBEnabled but failed to attach connect-time load balancer,
 * bailing out."), and runit restarts it into the same panic. Pure: the step reads the cluster.
 */

/** What the decision reads, as the step found it before writing anything. */
export interface EbpfFlipFacts {
    /** The Calico the cluster runs (Installation `default` status.calicoVersion), e.g. `v3.31.2`. */
    readonly calicoVersion: string | undefined;
    /**
     * FelixConfiguration `default` spec.bpfConnectTimeLoadBalancing as the flip leaves it; undefined
     * is Felix's default, TCP (felix/config/config_params.go "oneof(TCP,Enabled,Disabled);TCP" @v3.30.3,
     * @v3.31.2). The deprecated bpfConnectTimeLoadBalancingEnabled does not count: Felix's dataplane
     * decides on this field alone (int_dataplane.go :1011 @v3.31.2, :940 @v3.30.3).
     */
    readonly connectTimeLoadBalancing: string | undefined;
    /**
     * The provider's managers to release bpfConnectTimeLoadBalancing from before the flip, so it
     * goes back to Felix's default (core/managed-fields.ts orphanedProviderHolds); mostly none.
     */
    readonly orphanedCtlbManagers: readonly string[];
    /** Each node's name and status.nodeInfo.kernelVersion. */
    readonly nodes: readonly {
        readonly name: string;
        readonly kernelVersion: string | undefined;
    }[];
}

/** The first patch release of each line with the fix; lines after the last listed have it from .0. */
const FIXED_IN: readonly (readonly [number, number, number])[] = [
    [3, 29, 7],
    [3, 30, 5],
    [3, 31, 3],
];
const FIRST_REFUSING_KERNEL = [6, 12] as const;

const numbers = (text: string | undefined, pattern: RegExp): number[] | undefined => {
    const match = pattern.exec(text ?? "");
    return match === null ? undefined : match.slice(1).map(Number);
};

/** Whether a Calico version (`v3.31.2`) has the fix; undefined when it cannot be read. */
export function calicoHasCtlbFix(version: string | undefined): boolean | undefined {
    const parsed = numbers(version, /^v?(\d+)\.(\d+)\.(\d+)/);
    if (parsed === undefined) return undefined;
    const [major = 0, minor = 0, patch = 0] = parsed;
    if (major !== 3) return major > 3;
    const line = FIXED_IN.find(([, fixedMinor]) => fixedMinor === minor);
    if (line !== undefined) return patch >= line[2];
    const last = FIXED_IN.at(-1)?.[1] ?? 0;
    return minor > last;
}

/** Whether a kernel (`6.12.0-1-azure`) refuses the unfixed program; false when it cannot be read. */
export function kernelRefusesOldCtlb(kernelVersion: string | undefined): boolean {
    const parsed = numbers(kernelVersion, /^(\d+)\.(\d+)/);
    if (parsed === undefined) return false;
    const [major = 0, minor = 0] = parsed;
    const [refusingMajor, refusingMinor] = FIRST_REFUSING_KERNEL;
    return major > refusingMajor || (major === refusingMajor && minor >= refusingMinor);
}

/** The one line to keep the connect-time load balancer off, held by a manager of the user's own. */
export const CTLB_DISABLED_FIX =
    `printf '%s' '{"apiVersion":"crd.projectcalico.org/v1","kind":"FelixConfiguration",` +
    `"metadata":{"name":"default"},"spec":{"bpfConnectTimeLoadBalancing":"Disabled"}}' | ` +
    "kubectl apply --server-side --field-manager=ctlb-off -f -";

/**
 * Why the flip to eBPF must not start, in one line, or undefined when it may: the connect-time
 * load balancer stays on, a node runs a kernel that refuses it, and the Calico lacks the fix.
 */
export function ctlbKernelRefusal(facts: EbpfFlipFacts): string | undefined {
    if ((facts.connectTimeLoadBalancing ?? "TCP").toLowerCase() === "disabled") return undefined;
    const refusing = facts.nodes.filter((node) => kernelRefusesOldCtlb(node.kernelVersion));
    if (refusing.length === 0) return undefined;
    const fixed = calicoHasCtlbFix(facts.calicoVersion);
    if (fixed === true) return undefined;
    const nodes = refusing.map((node) => `${node.name} (kernel ${node.kernelVersion ?? ""})`);
    const calico =
        fixed === undefined
            ? `a Calico whose version the lab cannot read (Installation default status.calicoVersion is "${facts.calicoVersion ?? ""}")`
            : `Calico ${facts.calicoVersion ?? ""}`;
    return (
        `the switch to eBPF stopped before any change: ${nodes.join(", ")} run kernel 6.12 or later, which ` +
        `refuses the connect-time load balancer (bpfConnectTimeLoadBalancing ` +
        `${facts.connectTimeLoadBalancing ?? "TCP, the default"}) of ${calico}, so Felix would panic ` +
        `("BPFConnTimeLBEnabled but failed to attach connect-time load balancer") and calico-node ` +
        "crash-loop (projectcalico/calico#11302, fixed in v3.29.7, v3.30.5, v3.31.3); ways out: " +
        "an AKS version whose Calico has the fix, or, where host-networked access to services may " +
        `go without it, keep it Disabled under a manager of your own: ${CTLB_DISABLED_FIX}`
    );
}
