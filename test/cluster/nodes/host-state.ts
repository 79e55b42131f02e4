/**
 * The machine's own state that a node's Felix could touch, so the tier can show it left the machine
 * as it found it: namespaces, BPF programs on the root namespace's interfaces and on the root
 * cgroup, pinned BPF objects, Calico's rules in the root namespace, mounts and cgroups the tier
 * makes, the global sysctls Felix writes, and processes of the tier's binaries.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { CGROUP2_ROOT, CGROUP_PREFIX } from "./namespaces";

export type HostState = Readonly<Record<string, string>>;

const out = (argv: string[]): string => {
    const [command = "", ...args] = argv;
    const result = spawnSync(command, args, { encoding: "utf8" });
    return result.error === undefined
        ? result.stdout.trim()
        : `(${command}: ${result.error.message})`;
};

const readOr = (file: string): string => {
    try {
        return readFileSync(file, "utf8").trim();
    } catch {
        return "(absent)";
    }
};

/** Pinned objects under the machine's bpffs, if one is mounted at /sys/fs/bpf. */
function pinned(): string {
    const mounted = readFileSync("/proc/self/mounts", "utf8")
        .split("\n")
        .some((line) => line.split(" ")[1] === "/sys/fs/bpf");
    return mounted && existsSync("/sys/fs/bpf")
        ? out(["find", "/sys/fs/bpf", "-mindepth", "1"])
        : "(no bpffs)";
}

/**
 * Processes of the programs the tier runs: for nodes Felix, the holders (sleep infinity), socat;
 * for the engine its provider plugins, which outlive an engine killed outright (the faults).
 */
function tierProcesses(): string {
    const found: string[] = [];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        const [program = "", ...args] = readOr(`/proc/${entry}/cmdline`).split("\0");
        const name = program.split("/").pop() ?? "";
        const ours =
            name === "calico-felix" ||
            name.startsWith("pulumi-resource-") ||
            (name === "sleep" && args[0] === "infinity") ||
            (name === "socat" && args.some((arg) => arg.includes("apiserver.sock")));
        if (ours) found.push(`${entry} ${[program, ...args].join(" ").trim()}`);
    }
    return found.sort().join("\n");
}

export function hostState(): HostState {
    return {
        "network namespaces (ip netns)": out(["ip", "netns", "list"]),
        "root namespace interfaces": out(["ip", "-o", "link", "show"])
            .split("\n")
            .map((line) => line.replace(/^\d+: /, "").split(":")[0] ?? "")
            .join(" "),
        "BPF programs on root namespace interfaces": out(["bpftool", "net", "show"]),
        "BPF programs on the root cgroup": out(["bpftool", "cgroup", "show", CGROUP2_ROOT]),
        "pinned BPF objects": pinned(),
        "Calico iptables rules in the root namespace": [
            out(["iptables-legacy-save"]),
            out(["iptables-nft-save"]),
        ]
            .join("\n")
            .split("\n")
            .filter((line) => /cali/.test(line))
            .join("\n"),
        "Calico nftables tables in the root namespace": out(["nft", "list", "tables"])
            .split("\n")
            .filter((line) => /calico/.test(line))
            .join("\n"),
        "tier cgroups": readdirSync(CGROUP2_ROOT)
            .filter((name) => name.startsWith(CGROUP_PREFIX))
            .join(" "),
        "bpffs and cgroup2 mounts": readFileSync("/proc/self/mounts", "utf8")
            .split("\n")
            .filter((line) => / (bpf|cgroup2) /.test(line))
            .join("\n"),
        "kernel.unprivileged_bpf_disabled": readOr("/proc/sys/kernel/unprivileged_bpf_disabled"),
        "net.core.bpf_jit_harden": readOr("/proc/sys/net/core/bpf_jit_harden"),
        "tier processes": tierProcesses(),
    };
}

/** What differs between two readings, one line each; empty when the machine is as it was. */
export function hostChanges(before: HostState, after: HostState): string[] {
    return Object.keys(before)
        .filter((key) => before[key] !== after[key])
        .map(
            (key) =>
                `${key}: was ${JSON.stringify(before[key])}, now ${JSON.stringify(after[key])}`,
        );
}
