/**
 * The nodes' own Linux namespaces, so real Felix runs as on an AKS node and never touches the
 * machine: each node gets network, mount, UTS and cgroup namespaces held by one process for its whole
 * life (a real node keeps /sys/fs/bpf across Felix restarts), with its own bpffs, /run, cgroup2 mount
 * (a cgroup subtree the tier creates) and an `eth0` on a bridge in a "hub" namespace. The hub is the
 * node subnet: the API server is reached there through a forwarder whose other end is a Unix socket
 * (a path, not an address) served from this process to the API server on loopback. No address,
 * interface, mount or program is added to the machine's own namespaces; stop() removes everything.
 *
 * Layout after AKS's Azure CNI defaults (node subnet 10.224.0.0/16, first node 10.224.0.4:
 * MicrosoftDocs/azure-aks-docs articles/aks/configure-azure-cni.md); a node's eth0 has its
 * InternalIP (kwok.ts FAKE_NODES), so host-network pods are reached there from the other nodes.
 */
import { spawnSync } from "node:child_process";
import {
    existsSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    rmdirSync,
    rmSync,
    symlinkSync,
    writeFileSync,
} from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { FakeNode } from "../harness/kwok";
import { ProcessGroup, waitFor, type RunningProcess } from "../harness/processes";

/** The cgroup2 hierarchy of this machine (hybrid: v1 controllers, v2 unified here). */
export const CGROUP2_ROOT = existsSync("/sys/fs/cgroup/unified/cgroup.procs")
    ? "/sys/fs/cgroup/unified"
    : "/sys/fs/cgroup";
/** Every cgroup the tier makes is below a folder with this prefix (the host check looks for it). */
export const CGROUP_PREFIX = "aks-calico-lab-tier-";

/** The node subnet's gateway, in the hub: where nodes reach the API server (port 443). */
export const HUB_ADDRESS = "10.224.0.1";
const SUBNET_BITS = 16;
export const API_SERVER_PORT_ON_HUB = 443;

export interface NodeNamespace {
    readonly node: FakeNode;
    /** The process holding the node's namespaces: `nsenter -t <pid>` enters them. */
    readonly holderPid: number;
    /** The node's address on eth0. */
    readonly address: string;
    /** The node's cgroup (a real folder of the machine's cgroup2 tree), root of its cgroup namespace. */
    readonly cgroupDir: string;
}

export interface NodeNamespaces {
    readonly nodes: ReadonlyMap<string, NodeNamespace>;
    /** Runs a command inside a node's namespaces, synchronously (for reading its state). */
    exec(
        node: string,
        argv: readonly string[],
    ): { status: number | null; stdout: string; stderr: string };
    /** argv that starts a process in the node's namespaces and cgroup, as a pod's container there. */
    enterArgv(node: string, argv: readonly string[]): string[];
    stop(): Promise<void>;
}

function run(argv: readonly string[]): string {
    const [command = "", ...args] = argv;
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(
            `${argv.join(" ")}: exit ${String(result.status)}: ${result.stderr.trim()}`,
        );
    }
    return result.stdout;
}

/** The holder's namespaces are in place once its mounts are (it execs sleep after them). */
async function holderReady(holder: RunningProcess, marker: string): Promise<void> {
    await waitFor(
        `namespaces of ${holder.name}`,
        () =>
            Promise.resolve(
                readFileSync(`/proc/${holder.pid}/cmdline`, "utf8").startsWith(marker)
                    ? true
                    : undefined,
            ),
        10_000,
        holder,
    );
}

/**
 * The global sysctl Felix writes in eBPF mode (felix/dataplane/linux/int_dataplane.go :2522
 * unprivileged_bpf_disabled @v3.31.7): not per network namespace, so a node's Felix would change
 * the machine's. Read-only in each node's mount namespace; Felix logs the refused write and goes on.
 * (net.core.bpf_jit_harden, which it may also write, bpf_ep_mgr.go :3609, exists only in the
 * machine's own network namespace, so a node's Felix cannot reach it.)
 */
const MACHINE_WIDE_SYSCTLS = ["/proc/sys/kernel/unprivileged_bpf_disabled"];

/** The shell a node's holder runs once its namespaces exist: the node's own mounts, then sleep. */
function nodeSetup(node: FakeNode, usrLibOverlay: string | undefined): string {
    return [
        "set -e",
        `hostname ${node.name}`,
        // Felix loads its BPF objects from /usr/lib/calico/bpf (felix/bpf/bpfdefs/defs.go ObjectDir
        // @v3.31.7), as in the calico-node image: a read-only overlay adds them in this namespace only.
        ...(usrLibOverlay === undefined
            ? []
            : [`mount -t overlay overlay -o lowerdir=${usrLibOverlay}:/usr/lib /usr/lib`]),
        "mount -t bpf bpffs /sys/fs/bpf",
        // A node's own /run (Felix's /var/run/calico, xtables.lock, the service account's files).
        "mount -t tmpfs -o mode=755 tmpfs /run",
        "mkdir -p /run/calico/cgroup",
        // Felix's cgroup2 path (felix/bpf/bpfdefs/defs.go DefaultCgroupV2Path @v3.31.7): the root
        // of this cgroup namespace, i.e. the node's own subtree.
        "mount -t cgroup2 none /run/calico/cgroup",
        ...MACHINE_WIDE_SYSCTLS.map((file) => `mount --bind -o ro ${file} ${file}`),
        "exec sleep infinity",
    ].join("\n");
}

export async function startNodeNamespaces(options: {
    readonly scratchDir: string;
    readonly nodes: readonly FakeNode[];
    /** The API server on this machine's loopback. */
    readonly apiServerPort: number;
    /** Calico's BPF objects for this line (none: Felix never runs eBPF here). */
    readonly bpfObjectDir?: string;
    readonly log?: (line: string) => void;
}): Promise<NodeNamespaces> {
    const log = options.log ?? (() => undefined);
    const group = new ProcessGroup();
    const cgroupRun = join(CGROUP2_ROOT, `${CGROUP_PREFIX}${process.pid}-${Date.now()}`);
    const socketPath = join(options.scratchDir, "apiserver.sock");
    const logs = join(options.scratchDir, "logs");
    mkdirSync(logs, { recursive: true });
    let forwarder: Server | undefined;
    const nodes = new Map<string, NodeNamespace>();

    // A run ended by a signal or an error still removes its cgroups: the holders are gone by then
    // (the process group's own exit handler), and removeCgroup waits for the kernel to release them.
    const removeOnExit = () => {
        removeCgroupTree(cgroupRun);
    };
    process.on("exit", removeOnExit);
    const stop = async (): Promise<void> => {
        process.off("exit", removeOnExit);
        await group.stop();
        forwarder?.close();
        rmSync(socketPath, { force: true });
        // A cgroup goes once empty; its programs (the connect-time load balancer's) go with it.
        removeCgroupTree(cgroupRun);
    };

    let usrLibOverlay: string | undefined;
    if (options.bpfObjectDir !== undefined) {
        usrLibOverlay = join(options.scratchDir, "usr-lib-calico");
        mkdirSync(join(usrLibOverlay, "calico"), { recursive: true });
        symlinkSync(options.bpfObjectDir, join(usrLibOverlay, "calico", "bpf"));
    }
    try {
        removeStaleCgroups();
        mkdirSync(cgroupRun);
        // The API server's end: this process, on a Unix socket, to loopback.
        forwarder = createServer((client) => {
            const upstream = createConnection(options.apiServerPort, "127.0.0.1");
            client.pipe(upstream).pipe(client);
            client.on("error", () => upstream.destroy());
            upstream.on("error", () => client.destroy());
        });
        await new Promise<void>((resolve) => forwarder?.listen(socketPath, resolve));

        const hub = group.start(
            "hub",
            "unshare",
            ["--net", "sh", "-c", "ip link set lo up && exec sleep infinity"],
            join(logs, "hub.log"),
        );
        await holderReady(hub, "sleep");
        const inHub = (args: string) =>
            run(["nsenter", "-t", String(hub.pid), "-n", ...args.split(" ")]);
        inHub("ip link add br0 type bridge");
        inHub(`ip addr add ${HUB_ADDRESS}/${SUBNET_BITS} dev br0`);
        inHub("ip link set br0 up");
        group.start(
            "api-server forwarder (hub)",
            "nsenter",
            [
                "-t",
                String(hub.pid),
                "-n",
                "socat",
                `TCP-LISTEN:${API_SERVER_PORT_ON_HUB},bind=${HUB_ADDRESS},fork,reuseaddr`,
                `UNIX-CONNECT:${socketPath}`,
            ],
            join(logs, "hub-forwarder.log"),
        );

        for (const [index, node] of options.nodes.entries()) {
            const cgroupDir = join(cgroupRun, `node${index}`);
            mkdirSync(cgroupDir);
            const holder = group.start(
                `node ${node.name}`,
                "sh",
                [
                    "-c",
                    // Into the node's cgroup first, so the new cgroup namespace is rooted there.
                    `echo $$ > ${cgroupDir}/cgroup.procs && exec unshare --net --mount --uts --cgroup --propagation private sh -c "$0"`,
                    nodeSetup(node, usrLibOverlay),
                ],
                join(logs, `node-${index}.log`),
            );
            await holderReady(holder, "sleep");
            const address = node.ip;
            const port = `n${index}`;
            inHub(`ip link add ${port} type veth peer name eth0 netns ${holder.pid}`);
            inHub(`ip link set ${port} master br0 up`);
            const inNode = (args: string) =>
                run(["nsenter", "-t", String(holder.pid), "-n", ...args.split(" ")]);
            inNode("ip link set lo up");
            inNode(`ip addr add ${address}/${SUBNET_BITS} dev eth0`);
            inNode("ip link set eth0 up");
            inNode(`ip route add default via ${HUB_ADDRESS}`);
            nodes.set(node.name, { node, holderPid: holder.pid, address, cgroupDir });
            log(
                `node ${node.name}: namespaces of pid ${holder.pid}, eth0 ${address}, cgroup ${cgroupDir}`,
            );
        }
    } catch (error) {
        await stop();
        throw error;
    }

    const namespaceOf = (node: string): NodeNamespace => {
        const found = nodes.get(node);
        if (found === undefined) throw new Error(`no namespaces for node ${node}`);
        return found;
    };
    const nsenter = (node: string) => [
        "nsenter",
        "-t",
        String(namespaceOf(node).holderPid),
        "-n",
        "-m",
        "-u",
        "-C",
    ];
    return {
        nodes,
        exec(node, argv) {
            const [command = "", ...args] = [...nsenter(node), ...argv];
            const result = spawnSync(command, args, { encoding: "utf8" });
            return { status: result.status, stdout: result.stdout, stderr: result.stderr };
        },
        enterArgv(node, argv) {
            const { cgroupDir } = namespaceOf(node);
            return [
                // Felix dies with this process, however it ends (PR_SET_PDEATHSIG survives the execs).
                "setpriv",
                "--pdeathsig",
                "KILL",
                "--",
                "sh",
                "-c",
                `echo $$ > ${cgroupDir}/cgroup.procs && exec "$@"`,
                "sh",
                ...nsenter(node),
                ...argv,
            ];
        },
        stop,
    };
}

/** Cgroups of earlier runs whose process is gone (a run killed before it could clean up). */
export function removeStaleCgroups(): void {
    for (const name of readdirSync(CGROUP2_ROOT)) {
        const pid = new RegExp(`^${CGROUP_PREFIX}(\\d+)-`).exec(name)?.[1];
        if (pid === undefined || existsSync(`/proc/${pid}`)) continue;
        removeCgroupTree(join(CGROUP2_ROOT, name));
    }
}

/**
 * A cgroup and the node cgroups below it, after killing whatever still runs in them (cgroup.kill,
 * cgroup v2 since Linux 5.14: Documentation/admin-guide/cgroup-v2.rst).
 */
function removeCgroupTree(dir: string): void {
    if (!existsSync(dir)) return;
    try {
        writeFileSync(join(dir, "cgroup.kill"), "1");
    } catch {
        // An older kernel: the processes were stopped by their owners.
    }
    for (const child of readdirSync(dir, { withFileTypes: true })) {
        if (child.isDirectory()) removeCgroup(join(dir, child.name));
    }
    removeCgroup(dir);
}

/** rmdir of a cgroup, once its processes are gone (the kernel may take a moment to release it). */
function removeCgroup(dir: string): void {
    for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
        try {
            rmdirSync(dir);
        } catch {
            spawnSync("sleep", ["0.1"]);
        }
    }
}
