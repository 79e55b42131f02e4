/**
 * Real Felix on every node of the tier, started as the kubelet and runit start it in a calico-node
 * container: when the node's calico-node pod runs, with the environment the pod's spec holds
 * (pod-env.ts), in the node's namespaces (namespaces.ts); restarted with a new PID whenever it exits
 * (exit 129 is Felix's own restart on a config change: felix/daemon/daemon.go @v3.31.7, and runit's
 * runsv starts its run script again); stopped when the pod goes. Its standard output and error are
 * the calico-node container's log, which kwok serves through pods/log (`kubectl logs --timestamps`).
 *
 * Not run: the rest of calico-node (its startup, confd, BIRD, the CNI plugin); what startup writes
 * to the datastore the harness writes (felix-datastore.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as k8s from "@kubernetes/client-node";
import { field } from "../../../core/unstructured";
import type { LocalCluster } from "../harness/cluster";
import { bindClusterAdmin, serviceAccountToken } from "../harness/service-account";
import { API_SERVER_PORT_ON_HUB, HUB_ADDRESS, type NodeNamespaces } from "./namespaces";
import { felixEnv, kubeletEnv } from "./pod-env";

const CALICO_NAMESPACE = "calico-system";
const CONTAINER = "calico-node";

export interface FelixBinaries {
    /** calico-felix, built from the line's Calico tree. */
    readonly felix: string;
    /** The calico-node image's /etc/calico/felix.cfg (node/filesystem/etc/calico/felix.cfg). */
    readonly configFile: string;
}

export interface FelixRuntime {
    /** Freeze every Felix and start new ones frozen (before their dataplane); false resumes them. */
    stall(on: boolean): void;
    /** The PIDs of the Felix processes running now, by node. */
    running(): ReadonlyMap<string, number>;
    stop(): Promise<void>;
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
    container: Container;
    child: ChildProcess | undefined;
    stopping: boolean;
}

function runningContainer(pod: unknown): Container | undefined {
    const statuses = field(pod, "status", "containerStatuses");
    const status: unknown = Array.isArray(statuses)
        ? (statuses as unknown[]).find((s) => field(s, "name") === CONTAINER)
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
    const route = {
        aliases: [`${service.host}:${service.port}`, `${server.hostname}:${server.port}`],
        host: HUB_ADDRESS,
        port: String(API_SERVER_PORT_ON_HUB),
    };
    const supervised = new Map<string, Supervised>();
    const frozen = new Set<number>();
    let stalled = false;
    let stopped = false;

    // However this process ends, no Felix outlives it (PR_SET_PDEATHSIG is the backstop).
    const killAll = () => {
        for (const entry of supervised.values()) signal(entry.child, "SIGKILL");
    };
    process.on("exit", killAll);

    async function environment(container: Container): Promise<Record<string, string>> {
        const maps = await core.listNamespacedConfigMap({ namespace: CALICO_NAMESPACE });
        const configMaps = new Map(maps.items.map((m) => [m.metadata?.name ?? "", m.data ?? {}]));
        const env = kubeletEnv({
            pod: container.pod,
            container: CONTAINER,
            configMaps,
            kubernetesService: service,
        });
        return {
            ...felixEnv(env, route),
            PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        };
    }

    function signal(child: ChildProcess | undefined, name: NodeJS.Signals): void {
        if (child?.pid === undefined || child.exitCode !== null) return;
        try {
            // The wrapper's group: nsenter and Felix under it.
            process.kill(-child.pid, name);
        } catch {
            // Gone already.
        }
    }

    function start(entry: Supervised, env: Record<string, string>): void {
        const { container } = entry;
        const argv = namespaces.enterArgv(container.node, [
            "sh",
            "-c",
            'exec "$@" 2>&1',
            "felix",
            binaries.felix,
            "--config-file",
            binaries.configFile,
        ]);
        const [command = "", ...args] = argv;
        const child = spawn(command, args, {
            env,
            detached: true,
            stdio: ["ignore", "pipe", "ignore"],
        });
        entry.child = child;
        if (stalled && child.pid !== undefined) {
            signal(child, "SIGSTOP");
            frozen.add(child.pid);
        }
        // One stream, in the order Felix wrote it: runit's felix/run starts with `exec 2>&1`.
        createInterface({ input: child.stdout }).on("line", (line) => {
            cluster.appendLog(CALICO_NAMESPACE, container.name, CONTAINER, [line]);
        });
        log(
            `felix: ${container.name} on ${container.node}: started (wrapper pid ${String(child.pid)})`,
        );
        child.once("exit", (code, sig) => {
            if (child.pid !== undefined) frozen.delete(child.pid);
            log(`felix: ${container.name}: exited ${String(code ?? sig)}`);
            if (stopped || entry.stopping || supervised.get(container.uid) !== entry) return;
            // runsv runs the service again; Felix slept before exiting on a config change.
            start(entry, env);
        });
    }

    async function onPod(phase: string, pod: unknown): Promise<void> {
        const uid = String(field(pod, "metadata", "uid"));
        const known = supervised.get(uid);
        const gone =
            phase === "DELETED" || field(pod, "metadata", "deletionTimestamp") !== undefined;
        const container = gone ? undefined : runningContainer(pod);
        if (
            known !== undefined &&
            (container === undefined || container.key !== known.container.key)
        ) {
            // The container stopped (the pod is going) or was replaced: the kubelet's SIGTERM.
            known.stopping = true;
            signal(known.child, "SIGCONT");
            signal(known.child, "SIGTERM");
            supervised.delete(uid);
        }
        if (container === undefined || supervised.has(uid) || stopped) return;
        const entry: Supervised = { container, child: undefined, stopping: false };
        supervised.set(uid, entry);
        // The kubelet retries a container whose start failed; reading the pod's ConfigMaps fails
        // while the API server is down (the fault suite stops it), and a pod seen then must still
        // get its Felix once the server is back.
        const current = () => !stopped && !entry.stopping && supervised.get(uid) === entry;
        for (;;) {
            try {
                const env = await environment(container);
                if (!current()) return;
                start(entry, env);
                return;
            } catch (error) {
                log(`felix: ${container.name}: cannot read its environment yet: ${String(error)}`);
                await new Promise((resolve) => setTimeout(resolve, 1000));
                if (!current()) return;
            }
        }
    }

    const watch = new k8s.Watch(config);
    const controllers: AbortController[] = [];
    const watchPods = async (): Promise<void> => {
        while (!stopped) {
            await new Promise<void>((resolve) => {
                watch
                    .watch(
                        `/api/v1/namespaces/${CALICO_NAMESPACE}/pods`,
                        { labelSelector: `k8s-app=${CONTAINER}` },
                        (phase, object) => {
                            onPod(phase, object).catch((error: unknown) => {
                                log(`felix: ${String(error)}`);
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
    void watchPods();

    return {
        stall(on) {
            stalled = on;
            for (const entry of supervised.values()) {
                const pid = entry.child?.pid;
                if (pid === undefined) continue;
                signal(entry.child, on ? "SIGSTOP" : "SIGCONT");
                if (on) frozen.add(pid);
                else frozen.delete(pid);
            }
            log(`felix: ${on ? "stalled" : "resumed"}`);
        },
        running() {
            return new Map(
                [...supervised.values()]
                    .filter(
                        (entry) => entry.child?.pid !== undefined && entry.child.exitCode === null,
                    )
                    .map((entry) => [entry.container.node, entry.child?.pid ?? 0]),
            );
        },
        async stop() {
            stopped = true;
            process.off("exit", killAll);
            for (const controller of controllers) controller.abort();
            const exits = [...supervised.values()].map((entry) => {
                entry.stopping = true;
                const child = entry.child;
                if (child === undefined || child.exitCode !== null) return Promise.resolve();
                const exited = new Promise<void>((resolve) => {
                    child.once("exit", () => {
                        resolve();
                    });
                });
                signal(child, "SIGCONT");
                signal(child, "SIGTERM");
                const kill = setTimeout(() => {
                    signal(child, "SIGKILL");
                }, 10_000);
                return exited.finally(() => {
                    clearTimeout(kill);
                });
            });
            await Promise.all(exits);
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
    // Stands in for the operator's calico-node ClusterRole (pkg/render/node.go): calico-node's
    // service account may do anything here.
    await bindClusterAdmin(cluster.api, CALICO_NAMESPACE, CONTAINER);
    const token = await serviceAccountToken(cluster.api, CALICO_NAMESPACE, CONTAINER);
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
