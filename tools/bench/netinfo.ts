/**
 * A node's network interfaces as a host-network pod sees them in /sys/class/net (no privilege
 * needed), and the pod MTU as the sampler pod sees its own eth0.
 */

export interface Nic {
    readonly name: string;
    readonly mtu: number;
    /** The kernel driver bound to the device: hv_netvsc (Azure's synthetic NIC), mlx4_core/mlx5_core or mana (the accelerated VF). */
    readonly driver: string;
}

/**
 * The shell loop the host-network pod runs: one `nic <name> <mtu> <driver>` line per interface,
 * without a driver for virtual ones (no device behind them).
 */
export const NIC_SCRIPT =
    'for d in /sys/class/net/*; do drv=$(readlink "$d/device/driver" 2>/dev/null); echo "nic ${d##*/} $(cat "$d/mtu") ${drv##*/}"; done';

/** Interfaces backed by a device; veths, bridges and tunnels (one per pod, changing) are left out. */
export function parseNics(text: string): Nic[] {
    return text.split(/\r?\n/).flatMap((line) => {
        const match = /^nic (\S+) (\d+)(?: (\S+))?$/.exec(line.trim());
        if (match?.[1] === undefined || match[2] === undefined) return [];
        const driver = match[3] ?? "";
        return driver === "" ? [] : [{ name: match[1], mtu: Number(match[2]), driver }];
    });
}

/**
 * Drivers of an accelerated-networking VF: Mellanox mlx4/mlx5 (MicrosoftDocs/azure-docs
 * articles/virtual-network/accelerated-networking-how-it-works.md: the synthetic NIC uses hv_netvsc,
 * the VF "a driver name that contains mlx") or MANA (accelerated-networking-mana-overview.md).
 */
const VF_DRIVERS = /^(mlx4_core|mlx5_core|mana)$/;

/** True with a VF, false with only synthetic NICs, undefined when no NIC was seen. */
export function acceleratedNetworking(nics: readonly Nic[]): boolean | undefined {
    if (nics.length === 0) return undefined;
    return nics.some((nic) => VF_DRIVERS.test(nic.driver));
}

/** The sampler's `mtu <n>` line: the MTU of the pod's own eth0. */
export function podMtu(samplerLog: string): number | undefined {
    const match = /^mtu (\d+)$/m.exec(samplerLog);
    return match?.[1] === undefined ? undefined : Number(match[1]);
}
