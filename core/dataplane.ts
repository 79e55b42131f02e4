/** Calico's two Linux dataplanes: the lab's names for them and the operator's. */

/** The lab's names, as `pulumi config set dataplane` takes them. */
export const DATAPLANES = ["iptables", "bpf"] as const;
export type Dataplane = (typeof DATAPLANES)[number];

/**
 * Installation `spec.calicoNetwork.linuxDataplane` for each dataplane: the one mapping between the
 * lab's names and the operator's (tigera/operator api/v1/installation_types.go LinuxDataplaneOption @v1.38.6).
 */
export const LINUX_DATAPLANE = { iptables: "Iptables", bpf: "BPF" } as const satisfies Record<
    Dataplane,
    string
>;
export type LinuxDataplane = (typeof LINUX_DATAPLANE)[Dataplane];

/** The lab's name for an Installation's linuxDataplane; undefined for any other value (e.g. Nftables). */
export function dataplaneOf(linuxDataplane: string | undefined): Dataplane | undefined {
    return DATAPLANES.find((dataplane) => LINUX_DATAPLANE[dataplane] === linuxDataplane);
}

/** How reports and charts name a dataplane. */
export const DATAPLANE_TITLE: Record<Dataplane, string> = { iptables: "iptables", bpf: "eBPF" };
