/**
 * A node's real dataplane, read from inside its namespaces with the tools an operator would use on
 * the node: iptables/nftables rules with Calico's `cali` prefix, Calico's tc programs on eth0
 * (`bpftool net show`), and the connect-time load balancer's programs on the node's cgroup
 * (`bpftool cgroup show`). Decisions are pure (`summarizeDataplane`); reading is `readDataplane`.
 */
import type { NodeNamespaces } from "./namespaces";

export interface DataplaneReadings {
    /** iptables-legacy-save and iptables-nft-save output, concatenated. */
    readonly iptables: string;
    readonly nftables: string;
    /**
     * Programs on eth0: `bpftool net show dev eth0` for tc (clsact) filters, and for TCX the
     * programs of the links Felix pinned for eth0 (Debian's bpftool 7.1 lists no TCX attachment,
     * and Felix 3.31 pins each one under /sys/fs/bpf/tcx/<iface>_<hook>: felix/bpf/tc/attach.go
     * @v3.31.7), one `bpftool prog show` line each.
     */
    readonly netPrograms: string;
    /** `bpftool cgroup show /run/calico/cgroup`. */
    readonly cgroupPrograms: string;
}

export interface DataplaneState {
    /** Rules in chains named cali-* (iptables) or in Calico's nftables table. */
    readonly caliRules: number;
    readonly nftablesCalico: boolean;
    /** Calico's tc programs attached to eth0 (`cali_tc_preamble`, felix/bpf-gpl tc_preamble.c). */
    readonly tcPrograms: number;
    /** Programs attached to the node's cgroup (connect-time load balancer: cali_ctlb_*, connect_balancer*.c). */
    readonly cgroupPrograms: number;
}

export function summarizeDataplane(readings: DataplaneReadings): DataplaneState {
    const lines = (text: string) => text.split("\n");
    return {
        caliRules: lines(readings.iptables).filter((l) => /^-A cali-/.test(l)).length,
        // Calico's nftables dataplane programs table `calico` (felix/nftables/table.go @v3.31.7).
        nftablesCalico: /^table (ip|ip6|inet) calico\b/m.test(readings.nftables),
        // bpftool net show cuts names to 15 characters: cali_tc_preambl(e).
        tcPrograms: lines(readings.netPrograms).filter((l) => /\bcali_tc_preambl/.test(l)).length,
        cgroupPrograms: lines(readings.cgroupPrograms).filter((l) => /^\s*\d+\s+\S/.test(l)).length,
    };
}

export function readDataplane(namespaces: NodeNamespaces, node: string): DataplaneState {
    const out = (argv: string[]) => namespaces.exec(node, argv).stdout;
    return summarizeDataplane({
        iptables: out(["iptables-legacy-save"]) + out(["iptables-nft-save"]),
        nftables: out(["nft", "list", "ruleset"]),
        netPrograms:
            out(["bpftool", "net", "show", "dev", "eth0"]) +
            out([
                "sh",
                "-c",
                'for link in /sys/fs/bpf/tcx/eth0_*; do [ -e "$link" ] || continue; ' +
                    "prog=$(bpftool link show pinned \"$link\" | sed -n 's/.* prog \\([0-9]*\\).*/\\1/p'); " +
                    'bpftool prog show id "$prog" | head -1; done',
            ]),
        cgroupPrograms: out(["bpftool", "cgroup", "show", "/run/calico/cgroup"]),
    });
}

/** What the node runs by its kernel's state: eBPF where Calico's tc programs are attached. */
export function liveDataplane(state: DataplaneState): "bpf" | "iptables" | "nftables" | undefined {
    if (state.tcPrograms > 0) return "bpf";
    if (state.nftablesCalico) return "nftables";
    return state.caliRules > 0 ? "iptables" : undefined;
}
