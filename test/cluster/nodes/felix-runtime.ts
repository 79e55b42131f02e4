/**
 * Real Felix on every node of the tier, and real Typha where the operator schedules it, started as
 * the kubelet (and, for Felix, runit) start them in their containers: when the node's calico-node or
 * calico-typha pod runs, with the environment the pod's spec holds and the files of its Secret and
 * ConfigMap volumes (pod-env.ts), in the node's namespaces (namespaces.ts); restarted with a new PID
 * whenever they exit (exit 129 is Felix's own restart on a config change:
 * felix/daemon/daemon.go @v3.31.7, and runit's runsv, or the kubelet, starts it again); stopped when
 * the pod goes, killed after its grace period. A new calico-node starts on a node only once the one
 * before it there has exited: the DaemonSet controller (maxSurge 0) creates the new pod only after
 * the kubelet has ended the old one, which kwok, deleting a pod at once, does not wait for. Their
 * standard output and error are the container's log, which kwok serves through pods/log (`kubectl
 * logs --timestamps`).
 *
 * Not run: the rest of calico-node (its startup, confd, BIRD, the CNI plugin), whose datastore
 * writes the harness makes (prepareFelixDatastore), and calico-kube-controllers, which only kwok's
 * pod stands for (nothing the lab reads depends on what it does; TigeraStatus counts its pod).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import * as k8s from "@kubernetes/client-node";
import { field } from "../../../core/unstructured";
import type { LocalCluster } from "../harness/cluster";
import { bindClusterAdmin, serviceAccountToken } from "../harness/service-account";
import { API_SERVER_PORT_ON_HUB, HUB_ADDRESS, type NodeNamespaces } from "./namespaces";
import {
    apiServerEnv,
    configVolumeMounts,
    felixEnv,
    kubeletEnv,
    translateMountedPaths,
    type ApiServerRoute,
} from "./pod-env";

const CALICO_NAMESPACE = "calico-system";
const CALICO_NODE = "calico-node";
const CALICO_TYPHA = "calico-typha";

export interface FelixBinaries {
    /** calico-felix, built from the line's Calico tree. */
    readonly felix: string;
    /** The calico-node image's /etc/calico/felix.cfg (node/filesystem/etc/calico/felix.cfg). */
    readonly configFile: string;
    /** calico-typha and the calico/typha image's /etc/calico/typha.cfg (typha/docker-image/typha.cfg). */
    readonly typha: { readonly binary: string; readonly configFile: string };
}

export interface FelixRuntime {
    /** Freeze every Felix and start new ones frozen (before their dataplane); false resumes them. */
    stall(on: boolean): void;
    /**
     * Freeze every process on `node` (Felix and Typha), start new ones there frozen and hold back
     * the kill of stopping ones, as a node that is down runs nothing; false resumes them.
     */
    freezeNode(node: string, on: boolean): void;
    /** The PIDs of the Felix processes running now, by node. */
    running(): ReadonlyMap<string, number>;
    /** Every start of a Felix while another still ran on its node, as a line each. */
    overlaps(): readonly string[];
    stop(): Promise<void>;
}

/** What runs for one kind of pod: its container (also its `k8s-app` label), argv and environment. */
interface ContainerKind {
    readonly name: typeof CALICO_NODE | typeof CALICO_TYPHA;
    readonly argv: readonly string[];
    /** The process's environment from the kubelet's. */
    env(kubelet: Readonly<Record<string, string>>, route: ApiServerRoute): Record<string, string>;
}

interface Container {
    readonly uid: string;
    readonly name: string;
    readonly node: string;
    /** containerID/restartCount/startedAt: a new value is a new container. */
    readonly key: string;
    readonly pod: unknown;
}

interface Supervised {
    readonly kind: ContainerKind;
    container: Container;
    child: ChildProcess | undefined;
    stopping: boolean;
    /** Once stopping: resolves when its process has exited. */
    exited?: Promise<void>;
}

/** The pod's terminationGracePeriodSeconds (the API's default: 30), in ms. */
function gracePeriodMs(pod: unknown): number {
    const seconds = field(pod, "spec", "terminationGracePeriodSeconds");
    return (typeof seconds === "number" ? seconds : 30) * 1000;
}

function hasExited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null;
}

function runningContainer(pod: unknown, name: string): Container | undefined {
    const statuses = field(pod, "status", "containerStatuses");
    const status: unknown = Array.isArray(statuses)
        ? (statuses as unknown[]).find((s) => field(s, "name") === name)
        : undefined;
    const startedAt = field(status, "state", "running", "startedAt");
    const node = field(pod, "spec", "nodeName");
    if (typeof startedAt !== "string" || typeof node !== "string") return undefined;
    return {
        uid: String(field(pod, "metadata", "uid")),
        name: String(field(pod, "metadata", "name")),
        node,
        key: [field(status, "containerID"), field(status, "restartCount"), startedAt].join("/"),
        pod,
    };
}

export async function startFelixRuntime(options: {
    readonly cluster: LocalCluster;
    readonly namespaces: NodeNamespaces;
    readonly binaries: FelixBinaries;
    readonly log?: (line: string) => void;
}): Promise<FelixRuntime> {
    const log = options.log ?? (() => undefined);
    const { cluster, namespaces, binaries } = options;
    const config = new k8s.KubeConfig();
    config.loadFromString(cluster.kubeconfigYaml);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const kubernetesService = await core.readNamespacedService({
        name: "kubernetes",
        namespace: "default",
    });
    const service = {
        host: kubernetesService.spec?.clusterIP ?? "",
        port: String(kubernetesService.spec?.ports?.find((p) => p.name === "https")?.port ?? 443),
    };
    const server = new URL(cluster.server);
    const route: ApiServerRoute = {
        aliases: [`${service.host}:${service.port}`, `${server.hostname}:${server.port}`],
        host: HUB_ADDRESS,
        port: String(API_SERVER_PORT_ON_HUB),
    };
    const kinds: readonly ContainerKind[] = [
        {
            name: CALICO_NODE,
            argv: [binaries.felix, "--config-file", binaries.configFile],
            env: felixEnv,
        },
        {
            name: CALICO_TYPHA,
            argv: [binaries.typha.binary, "--config-file", binaries.typha.configFile],
            env: apiServerEnv,
        },
    ];
    const supervised = new Map<string, Supervised>();
    /** Containers stopped whose processes have not exited yet. */
    const terminating = new Set<Supervised>();
    let stalled = false;
    const frozenNodes = new Set<string>();
    const overlaps: string[] = [];
    let stopped = false;
    const felixes = () => [...supervised.values()].filter((e) => e.kind.name === CALICO_NODE);

    // However this process ends, no Felix or Typha outlives it (PR_SET_PDEATHSIG is the backstop).
    const killAll = () => {
        for (const entry of [...supervised.values(), ...terminating])
            signal(entry.child, "SIGKILL");
    };
    process.on("exit", killAll);

    /** A Secret's data, decoded. */
    async function secretData(name: string): Promise<Record<string, string>> {
        const secret = await core.readNamespacedSecret({ name, namespace: CALICO_NAMESPACE });
        return Object.fromEntries(
            Object.entries(secret.data ?? {}).map(([key, value]) => [
                key,
                Buffer.from(value, "base64").toString(),
            ]),
        );
    }

    /**
     * The pod's Secret and ConfigMap volumes, written as the kubelet writes them; by mount path.
     * ConfigMaps come from those already listed for the environment.
     */
    async function volumeFolders(
        container: Container,
        kind: ContainerKind,
        configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>,
    ): Promise<Map<string, string>> {
        const folders = new Map<string, string>();
        for (const mount of configVolumeMounts(container.pod, kind.name)) {
            const data =
                mount.source.kind === "secret"
                    ? await secretData(mount.source.name)
                    : configMaps.get(mount.source.name);
            if (data === undefined) {
                throw new Error(`volume ${mount.volume}: ConfigMap ${mount.source.name} not found`);
            }
            const folder = join(cluster.scratchDir, "volumes", container.uid, mount.volume);
            for (const [key, value] of Object.entries(data)) {
                const path = mount.items === undefined ? key : mount.items.get(key);
                if (path === undefined) continue;
                mkdirSync(dirname(join(folder, path)), { recursive: true, mode: 0o700 });
                writeFileSync(join(folder, path), value, { mode: 0o600 });
            }
            folders.set(mount.mountPath, folder);
        }
        return folders;
    }

    async function environment(
        container: Container,
        kind: ContainerKind,
    ): Promise<Record<string, string>> {
        const maps = await core.listNamespacedConfigMap({ namespace: CALICO_NAMESPACE });
        const configMaps = new Map(maps.items.map((m) => [m.metadata?.name ?? "", m.data ?? {}]));
        const env = kubeletEnv({
            pod: container.pod,
            container: kind.name,
            configMaps,
            kubernetesService: service,
        });
        return {
            ...translateMountedPaths(
                kind.env(env, route),
                await volumeFolders(container, kind, configMaps),
            ),
            PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        };
    }

    function signal(child: ChildProcess | undefined, name: NodeJS.Signals): void {
        if (child?.pid === undefined || hasExited(child)) return;
        try {
            // The wrapper's group: nsenter and the process under it.
            process.kill(-child.pid, name);
        } catch {
            // Gone already.
        }
    }

    function start(entry: Supervised, env: Record<string, string>): void {
        const { container, kind } = entry;
        if (kind.name === CALICO_NODE) {
            for (const other of [...felixes(), ...terminating]) {
                const alive = other.child !== undefined && !hasExited(other.child);
                const there =
                    other.kind.name === CALICO_NODE && other.container.node === container.node;
                if (other === entry || !there || !alive) continue;
                overlaps.push(
                    `${container.node}: ${container.name} started while ${other.container.name} ran`,
                );
            }
        }
        const argv = namespaces.enterArgv(container.node, [
            "sh",
            "-c",
            'exec "$@" 2>&1',
            kind.name,
            ...kind.argv,
        ]);
        const [command = "", ...args] = argv;
        const child = spawn(command, args, {
            env,
            detached: true,
            stdio: ["ignore", "pipe", "ignore"],
        });
        entry.child = child;
        const held = (stalled && kind.name === CALICO_NODE) || frozenNodes.has(container.node);
        if (held) signal(child, "SIGSTOP");
        // One stream, in the order it was written: runit's felix/run starts with `exec 2>&1`.
        createInterface({ input: child.stdout }).on("line", (line) => {
            cluster.appendLog(CALICO_NAMESPACE, container.name, kind.name, [line]);
        });
        log(
            `${kind.name}: ${container.name} on ${container.node}: started (wrapper pid ${String(child.pid)})`,
        );
        child.once("exit", (code, sig) => {
            log(`${kind.name}: ${container.name}: exited ${String(code ?? sig)}`);
            if (stopped || entry.stopping || supervised.get(container.uid) !== entry) return;
            // runsv (or the kubelet) runs it again; Felix slept before exiting on a config change.
            start(entry, env);
        });
    }

    /**
     * The kubelet's stop: SIGTERM, then SIGKILL once the grace period is over; on a frozen node the
     * process stays frozen and the kill waits until it is resumed, unless the runtime is stopping.
     */
    function terminate(entry: Supervised, graceMs: number): Promise<void> {
        entry.stopping = true;
        const child = entry.child;
        if (child === undefined || hasExited(child)) return Promise.resolve();
        const held = () => !stopped && frozenNodes.has(entry.container.node);
        terminating.add(entry);
        let kill: NodeJS.Timeout | undefined;
        const killAfterGrace = () => {
            kill = setTimeout(() => {
                if (held()) killAfterGrace();
                else signal(child, "SIGKILL");
            }, graceMs);
        };
        entry.exited = new Promise<void>((resolve) => {
            child.once("exit", () => {
                clearTimeout(kill);
                terminating.delete(entry);
                resolve();
            });
        });
        if (!held()) signal(child, "SIGCONT");
        signal(child, "SIGTERM");
        killAfterGrace();
        return entry.exited;
    }

    /**
     * What must exit before a container starts: the same container's process before it, and on
     * calico-node's node, the calico-node before it there.
     */
    function predecessors(kind: ContainerKind, container: Container): Promise<void>[] {
        return [...terminating]
            .filter(
                (entry) =>
                    entry.kind.name === kind.name &&
                    (entry.container.uid === container.uid ||
                        (kind.name === CALICO_NODE && entry.container.node === container.node)),
            )
            .map((entry) => entry.exited ?? Promise.resolve());
    }

    async function onPod(kind: ContainerKind, phase: string, pod: unknown): Promise<void> {
        const uid = String(field(pod, "metadata", "uid"));
        const known = supervised.get(uid);
        const gone =
            phase === "DELETED" || field(pod, "metadata", "deletionTimestamp") !== undefined;
        const container = gone ? undefined : runningContainer(pod, kind.name);
        if (
            known !== undefined &&
            (container === undefined || container.key !== known.container.key)
        ) {
            // The container stopped (the pod is going) or was replaced.
            void terminate(known, gracePeriodMs(known.container.pod));
            supervised.delete(uid);
        }
        if (container === undefined || supervised.has(uid) || stopped) return;
        const entry: Supervised = { kind, container, child: undefined, stopping: false };
        supervised.set(uid, entry);
        // The kubelet retries a container whose start failed; reading the pod's ConfigMaps fails
        // while the API server is down (the fault suite stops it), and a pod seen then must still
        // get its process once the server is back.
        const current = () => !stopped && !entry.stopping && supervised.get(uid) === entry;
        await Promise.all(predecessors(kind, container));
        if (!current()) return;
        for (;;) {
            try {
                const env = await environment(container, kind);
                if (!current()) return;
                start(entry, env);
                return;
            } catch (error) {
                log(
                    `${kind.name}: ${container.name}: cannot read its environment yet: ${String(error)}`,
                );
                await new Promise((resolve) => setTimeout(resolve, 1000));
                if (!current()) return;
            }
        }
    }

    const watch = new k8s.Watch(config);
    const controllers: AbortController[] = [];
    const watchPods = async (kind: ContainerKind): Promise<void> => {
        while (!stopped) {
            await new Promise<void>((resolve) => {
                watch
                    .watch(
                        `/api/v1/namespaces/${CALICO_NAMESPACE}/pods`,
                        { labelSelector: `k8s-app=${kind.name}` },
                        (phase, object) => {
                            onPod(kind, phase, object).catch((error: unknown) => {
                                log(`${kind.name}: ${String(error)}`);
                            });
                        },
                        () => {
                            resolve();
                        },
                    )
                    .then((controller) => controllers.push(controller))
                    .catch(() => {
                        setTimeout(resolve, 500);
                    });
            });
        }
    };
    for (const kind of kinds) void watchPods(kind);

    return {
        stall(on) {
            stalled = on;
            for (const entry of felixes()) {
                // A Felix on a node that is down stays frozen.
                if (!on && frozenNodes.has(entry.container.node)) continue;
                signal(entry.child, on ? "SIGSTOP" : "SIGCONT");
            }
            log(`felix: ${on ? "stalled" : "resumed"}`);
        },
        freezeNode(node, on) {
            if (on) frozenNodes.add(node);
            else frozenNodes.delete(node);
            for (const entry of [...supervised.values(), ...terminating]) {
                if (entry.container.node !== node) continue;
                // Felix stays frozen while every Felix is stalled, unless it is stopping.
                if (!on && stalled && entry.kind.name === CALICO_NODE && !entry.stopping) continue;
                signal(entry.child, on ? "SIGSTOP" : "SIGCONT");
            }
            log(`node ${node}: ${on ? "frozen" : "resumed"}`);
        },
        running() {
            return new Map(
                felixes()
                    .filter((entry) => entry.child?.pid !== undefined && !hasExited(entry.child))
                    .map((entry) => [entry.container.node, entry.child?.pid ?? 0]),
            );
        },
        overlaps: () => [...overlaps],
        async stop() {
            stopped = true;
            process.off("exit", killAll);
            for (const controller of controllers) controller.abort();
            // Those already stopping too get 10 s before SIGKILL, whatever their grace period.
            const entries = [...supervised.values(), ...terminating];
            await Promise.all(entries.map((entry) => terminate(entry, 10_000)));
        },
    };
}

/**
 * What calico-node's startup writes before Felix runs and Felix waits for, and the access the pod's
 * service account gives it: the harness writes them, as calico-node's startup is not run.
 */
export async function prepareFelixDatastore(
    cluster: LocalCluster,
    namespaces: NodeNamespaces,
    calicoVersion: string,
): Promise<void> {
    // calico-node's startup, ensureDefaultConfig (projectcalico/calico
    // node/pkg/lifecycle/startup/startup.go :1218-1300 @v3.31.7): ClusterInformation through
    // EnsureInitialized (CLUSTER_TYPE from the pod's env, the fixture's "k8s,operator"), and the
    // global FelixConfiguration's reportingInterval 0 and logSeverityScreen Info where unset.
    await cluster.api.apply({
        apiVersion: "crd.projectcalico.org/v1",
        kind: "ClusterInformation",
        metadata: { name: "default" },
        spec: { calicoVersion, clusterType: "k8s,operator", datastoreReady: true },
    });
    await cluster.api.json(
        "PATCH",
        "/apis/crd.projectcalico.org/v1/felixconfigurations/default?fieldManager=calico-node",
        { spec: { reportingInterval: "0s", logSeverityScreen: "Info" } },
        "application/merge-patch+json",
    );
    // Stands in for the operator's calico-node and calico-typha ClusterRoles (pkg/render/node.go,
    // typha.go): a node's processes share its /run, so Typha there reads calico-node's token too,
    // and that account may do anything here.
    await bindClusterAdmin(cluster.api, CALICO_NAMESPACE, CALICO_NODE);
    const token = await serviceAccountToken(cluster.api, CALICO_NAMESPACE, CALICO_NODE);
    // The kubelet's projected service account volume, in each node's own /run.
    const dir = join(cluster.scratchDir, "serviceaccount");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, "token"), token, { mode: 0o600 });
    writeFileSync(join(dir, "ca.crt"), readFileSync(cluster.caCertFile));
    writeFileSync(join(dir, "namespace"), CALICO_NAMESPACE);
    const target = "/run/secrets/kubernetes.io/serviceaccount";
    for (const node of namespaces.nodes.keys()) {
        const copied = namespaces.exec(node, [
            "sh",
            "-c",
            `mkdir -p ${target} && cp ${dir}/* ${target}/`,
        ]);
        if (copied.status !== 0)
            throw new Error(`node ${node}: service account files: ${copied.stderr}`);
    }
}
