/** The few cluster reads and writes the lab's commands need, through @kubernetes/client-node. */
import * as k8s from "@kubernetes/client-node";
import {
    CALICO_NODE,
    FELIX_CONFIGURATION,
    INSTALLATION,
    KUBE_PROXY_DAEMONSET,
    OPERATOR_DEPLOYMENT,
    TIGERA_STATUS,
    type ClusterObject,
} from "../../core/calico-objects";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";
import {
    FELIX_V3_CRD_NAME,
    INSTALLATION_CRD_NAME,
    type CalicoApis,
} from "../../core/calico-preflight";
import type { RolloutStatus } from "../../core/convergence";
import { FELIX_CRD_NAME } from "../../core/felix-schema";
import type { CalicoNodePod } from "../../core/felix-log";
import { field } from "../../core/unstructured";
import { pollUntil, type Clock } from "../cli/poll";
import { deploymentRollout, type CalicoObjects } from "./cluster-objects";
import type { EnvironmentObjects } from "./environment";

/** A client configuration from the kubeconfig text in $LAB_KUBECONFIG; nothing is written to disk. */
export function kubeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): k8s.KubeConfig {
    const text = env[KUBECONFIG_ENV];
    if (text === undefined || text.trim() === "") {
        throw new Error(`${KUBECONFIG_ENV} is empty: this command expects the kubeconfig in it`);
    }
    return kubeConfigFromText(text);
}

/** A client configuration from kubeconfig text held in memory; one line saying why when it is not one. */
export function kubeConfigFromText(text: string): k8s.KubeConfig {
    const config = new k8s.KubeConfig();
    try {
        config.loadFromString(text);
    } catch (error) {
        const reason =
            error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
        // One line: the YAML parser's message goes on with a multi-line excerpt of the file, which
        // a cause would print too (and a kubeconfig holds credentials).
        // eslint-disable-next-line preserve-caught-error
        throw new Error(`the kubeconfig is not valid: ${reason}`);
    }
    if (config.getCurrentCluster() === null) {
        throw new Error(
            "the kubeconfig names no current cluster (current-context and its cluster)",
        );
    }
    return config;
}

const isNotFound = (error: unknown): boolean => field(error, "code") === 404;

/** The read's value, or undefined when the API server answers 404. */
export async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
    try {
        return await read;
    } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
    }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const [group = "", version = ""] = apiVersion.split("/");
    return { group, version };
}

/** Reads Installation, FelixConfiguration, calico-node and TigeraStatus at one moment. */
export async function readCalicoObjects(config: k8s.KubeConfig): Promise<CalicoObjects> {
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const clusterObject = (object: ClusterObject) =>
        orUndefined(
            custom.getClusterCustomObject({
                ...splitApiVersion(object.apiVersion),
                plural: object.plural,
                name: object.name,
            }) as Promise<unknown>,
        );
    const [installation, felixConfiguration, calicoNodeDaemonSet, tigeraStatus, nodes] =
        await Promise.all([
            clusterObject(INSTALLATION),
            clusterObject(FELIX_CONFIGURATION),
            orUndefined(apps.readNamespacedDaemonSet(CALICO_NODE)),
            clusterObject(TIGERA_STATUS),
            listNodes(config),
        ]);
    return { installation, felixConfiguration, calicoNodeDaemonSet, tigeraStatus, nodes };
}

/** Which of the CRDs the lab's preflight looks for the cluster serves (core/calico-preflight.ts). */
export async function readCalicoApis(config: k8s.KubeConfig): Promise<CalicoApis> {
    const crds = config.makeApiClient(k8s.ApiextensionsV1Api);
    const served = async (name: string) =>
        (await orUndefined(crds.readCustomResourceDefinition({ name }))) !== undefined;
    const [installationCrd, felixCrd, felixV3Crd] = await Promise.all([
        served(INSTALLATION_CRD_NAME),
        served(FELIX_CRD_NAME),
        served(FELIX_V3_CRD_NAME),
    ]);
    return { installationCrd, felixCrd, felixV3Crd };
}

/** Reads what environmentFrom needs: Calico's objects, the operator, kube-proxy and the nodes. */
export async function readEnvironmentObjects(config: k8s.KubeConfig): Promise<EnvironmentObjects> {
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const [calico, operatorDeployment, kubeProxyDaemonSet] = await Promise.all([
        readCalicoObjects(config),
        orUndefined(apps.readNamespacedDeployment(OPERATOR_DEPLOYMENT)),
        orUndefined(apps.readNamespacedDaemonSet(KUBE_PROXY_DAEMONSET)),
    ]);
    return {
        installation: calico.installation,
        felixConfiguration: calico.felixConfiguration,
        operatorDeployment,
        kubeProxyDaemonSet,
        nodes: calico.nodes ?? [],
    };
}

export async function readDeploymentRollout(
    config: k8s.KubeConfig,
    namespace: string,
    name: string,
): Promise<RolloutStatus | undefined> {
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const deployment = await orUndefined(apps.readNamespacedDeployment({ name, namespace }));
    return deployment && deploymentRollout(deployment);
}

/** What `kubectl rollout restart` does: stamp the pod template, so the Deployment rolls. */
const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

export async function restartDeployment(
    config: k8s.KubeConfig,
    namespace: string,
    name: string,
    at: Date,
): Promise<void> {
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const body = {
        spec: {
            template: {
                metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString() } },
            },
        },
    };
    await apps.patchNamespacedDeployment(
        { name, namespace, body },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
}

/**
 * Gives up every field `manager` holds on FelixConfiguration `default`: a server-side apply of
 * nothing under its name, which removes each field no other manager holds, as deleting the patch
 * that manager belonged to would have.
 */
export async function releaseFelixConfiguration(
    config: k8s.KubeConfig,
    manager: string,
): Promise<void> {
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const { apiVersion, kind, plural, name } = FELIX_CONFIGURATION;
    await custom.patchClusterCustomObject(
        {
            ...splitApiVersion(apiVersion),
            plural,
            name,
            body: { apiVersion, kind, metadata: { name } },
            fieldManager: manager,
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
    );
}

async function listNodes(config: k8s.KubeConfig): Promise<unknown[]> {
    const core = config.makeApiClient(k8s.CoreV1Api);
    return (await core.listNode()).items;
}

/**
 * The log of a pod that has none to give: its container has not started (400, as the kubelet says
 * "waiting to start"; kwok's 400 "no logs found" means it knows no log file for the pod) or the pod
 * is gone since the list (404). Such a pod served nothing, so it counts as an empty log; any other
 * failure is rethrown.
 */
export function noLogYet(error: unknown): string {
    const code = field(error, "code");
    if (code === 400 || code === 404) return "";
    throw error;
}

/** The recent log of one container in every pod a label selector picks (empty where it has none yet). */
export async function podLogs(
    config: k8s.KubeConfig,
    query: { namespace: string; labelSelector: string; container: string; sinceSeconds: number },
): Promise<{ pod: string; text: string }[]> {
    const core = config.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({
        namespace: query.namespace,
        labelSelector: query.labelSelector,
    });
    return Promise.all(
        pods.items.map(async (pod) => {
            const name = pod.metadata?.name ?? "";
            const text = await core
                .readNamespacedPodLog({
                    name,
                    namespace: query.namespace,
                    container: query.container,
                    sinceSeconds: query.sinceSeconds,
                })
                .catch(noLogYet);
            return { pod: name, text };
        }),
    );
}

export async function listNetworkPolicies(
    config: k8s.KubeConfig,
    namespace: string,
): Promise<unknown[]> {
    const networking = config.makeApiClient(k8s.NetworkingV1Api);
    return (await networking.listNamespacedNetworkPolicy({ namespace })).items;
}

/**
 * Polls a pod until it is Running (a pod that already Succeeded counts; one that Failed first is an
 * error), or until it has Finished, Succeeded or Failed; the deadline is an error saying where it was.
 */
export async function waitForPod(
    config: k8s.KubeConfig,
    query: { namespace: string; name: string; until: "Running" | "Finished"; timeoutMs: number },
    clock?: Clock,
): Promise<k8s.V1Pod> {
    const core = config.makeApiClient(k8s.CoreV1Api);
    const pod = `pod ${query.namespace}/${query.name}`;
    const polled = await pollUntil<k8s.V1Pod>(
        async () => {
            const object = await core.readNamespacedPod({
                name: query.name,
                namespace: query.namespace,
            });
            const phase = object.status?.phase;
            const done =
                query.until === "Running"
                    ? phase === "Running" || phase === "Succeeded"
                    : phase === "Succeeded" || phase === "Failed";
            if (done) return { done: true, value: object };
            const waiting = object.status?.containerStatuses
                ?.map((c) => c.state?.waiting?.reason)
                .filter(Boolean);
            const why = `phase ${phase ?? "unknown"}${waiting?.length ? ` (${waiting.join(", ")})` : ""}`;
            if (phase === "Failed") throw new Error(`${pod} failed: ${why}`);
            return { done: false, pending: [why] };
        },
        { timeoutMs: query.timeoutMs, intervalMs: 2000, ...(clock && { clock }) },
    );
    if (polled.value === undefined) {
        const state = query.until === "Running" ? "not Running" : "still running";
        throw new Error(
            `${pod} ${state} after ${Math.round(query.timeoutMs / 1000)}s: ${polled.pending.join("; ")}`,
        );
    }
    return polled.value;
}

export async function podLog(
    config: k8s.KubeConfig,
    namespace: string,
    name: string,
    container: string,
): Promise<string> {
    return config.makeApiClient(k8s.CoreV1Api).readNamespacedPodLog({ name, namespace, container });
}

export async function deleteNamespace(config: k8s.KubeConfig, name: string): Promise<void> {
    await orUndefined(config.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name }));
}

/**
 * calico-node's pods (not those being deleted), each with its calico-node container's log from
 * `since` on. The kubelet prefixes each line with its own timestamp (timestamps=true); the
 * generated client has no sinceTime, so the window starts a minute early and core/felix-log.ts
 * drops what came before `since`. A container not started yet has no log.
 */
export async function readCalicoNodePods(
    config: k8s.KubeConfig,
    since: Date,
    now: Date = new Date(),
): Promise<CalicoNodePod[]> {
    const core = config.makeApiClient(k8s.CoreV1Api);
    const { namespace, name: container } = CALICO_NODE;
    // The operator labels calico-node's pods k8s-app=calico-node (tigera/operator
    // pkg/controller/utils/component.go setStandardSelectorAndLabels @v1.38.6).
    const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `k8s-app=${CALICO_NODE.name}`,
    });
    const sinceSeconds = Math.max(1, Math.ceil((now.getTime() - since.getTime()) / 1000) + 60);
    const running = pods.items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
    return Promise.all(
        running.map(async (pod) => {
            const name = pod.metadata?.name ?? "";
            const log = await core
                .readNamespacedPodLog({
                    name,
                    namespace,
                    container,
                    timestamps: true,
                    sinceSeconds,
                })
                .catch((error: unknown) => {
                    // 400: the container has not started yet; 5xx: the API server could not
                    // reach the node's kubelet (a node down: the wait names it, from its
                    // Ready condition). Either way no Felix run to read, not a failed read.
                    const code = field(error, "code");
                    if (code === 400 || (typeof code === "number" && code >= 500)) return "";
                    throw error;
                });
            return {
                name,
                node: pod.spec?.nodeName ?? "unscheduled",
                createdAt: pod.metadata?.creationTimestamp?.getTime() ?? now.getTime(),
                log,
            };
        }),
    );
}

/** Creates an object and resolves with it as the API server stored it (cluster IP, uid, …). */
export async function createObjectReturning(
    config: k8s.KubeConfig,
    object: k8s.KubernetesObject,
): Promise<unknown> {
    return k8s.KubernetesObjectApi.makeApiClient(config).create(object);
}

/** The API server's version, e.g. v1.36.2. */
export async function serverVersion(config: k8s.KubeConfig): Promise<string> {
    return (await config.makeApiClient(k8s.VersionApi).getCode()).gitVersion;
}

/** The names of the namespaces a label selector picks, terminating ones included. */
export async function namespaceNames(
    config: k8s.KubeConfig,
    labelSelector: string,
): Promise<string[]> {
    const list = await config.makeApiClient(k8s.CoreV1Api).listNamespace({ labelSelector });
    return list.items.flatMap((n) => (n.metadata?.name ? [n.metadata.name] : []));
}

export async function namespaceExists(config: k8s.KubeConfig, name: string): Promise<boolean> {
    const found = await orUndefined(config.makeApiClient(k8s.CoreV1Api).readNamespace({ name }));
    return found !== undefined;
}

/** Network errors that mean the API server was not reached at all (fetch hides them in `cause`). */
const UNREACHABLE_CODES = new Set([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "UND_ERR_CONNECT_TIMEOUT",
]);

/** Whether an error from this client means the API server could not be reached. */
export function isUnreachable(error: unknown): boolean {
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
        const code = (current as NodeJS.ErrnoException).code;
        if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
        // fetch refuses the ports of its "bad ports" list without a code (undici lib/web/fetch, the
        // Fetch standard's port blocking): no request was sent.
        if (current.message === "bad port") return true;
    }
    return false;
}
