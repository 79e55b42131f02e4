/** The few cluster reads and writes the lab's commands need, through @kubernetes/client-node. */
import * as k8s from "@kubernetes/client-node";
import {
    CALICO_NAMESPACE,
    CALICO_NODE_DAEMONSET,
    FELIX_CONFIGURATION,
    INSTALLATION,
    TIGERA_STATUS_NAME,
} from "../../components/calico-spec";
import { KUBECONFIG_ENV } from "../../components/cluster-step-command";
import type { CalicoSnapshot, Condition, RolloutStatus } from "../../components/convergence";

/** A client configuration from the kubeconfig text in $LAB_KUBECONFIG; nothing is written to disk. */
export function kubeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): k8s.KubeConfig {
    const text = env[KUBECONFIG_ENV];
    if (text === undefined || text.trim() === "") {
        throw new Error(`${KUBECONFIG_ENV} is empty: this command expects the kubeconfig in it`);
    }
    const config = new k8s.KubeConfig();
    config.loadFromString(text);
    return config;
}

type Unstructured = Record<string, unknown>;

const field = (object: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>(
        (value, key) =>
            typeof value === "object" && value !== null ? (value as Unstructured)[key] : undefined,
        object,
    );

const isNotFound = (error: unknown): boolean => field(error, "code") === 404;

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
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
export async function readCalicoSnapshot(config: k8s.KubeConfig): Promise<CalicoSnapshot> {
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const clusterObject = (apiVersion: string, plural: string, name: string) =>
        orUndefined(
            custom.getClusterCustomObject({
                ...splitApiVersion(apiVersion),
                plural,
                name,
            }) as Promise<unknown>,
        );
    const [installation, felix, daemonSet, tigeraStatus] = await Promise.all([
        clusterObject(INSTALLATION.apiVersion, "installations", INSTALLATION.name),
        clusterObject(
            FELIX_CONFIGURATION.apiVersion,
            "felixconfigurations",
            FELIX_CONFIGURATION.name,
        ),
        orUndefined(
            apps.readNamespacedDaemonSet({
                name: CALICO_NODE_DAEMONSET,
                namespace: CALICO_NAMESPACE,
            }),
        ),
        clusterObject("operator.tigera.io/v1", "tigerastatuses", TIGERA_STATUS_NAME),
    ]);
    const bpfEnabled = field(felix, "spec", "bpfEnabled");
    const dataplane = field(installation, "spec", "calicoNetwork", "linuxDataplane");
    const generation = field(installation, "metadata", "generation");
    const conditions = field(tigeraStatus, "status", "conditions");
    return {
        linuxDataplane: typeof dataplane === "string" ? dataplane : undefined,
        installationGeneration: typeof generation === "number" ? generation : undefined,
        felixBpfEnabled: typeof bpfEnabled === "boolean" ? bpfEnabled : undefined,
        calicoNode: daemonSet && daemonSetRollout(daemonSet),
        tigeraStatus:
            tigeraStatus === undefined
                ? undefined
                : Array.isArray(conditions)
                  ? (conditions as Condition[])
                  : [],
    };
}

export function daemonSetRollout(daemonSet: k8s.V1DaemonSet): RolloutStatus {
    const status = daemonSet.status;
    return {
        generation: daemonSet.metadata?.generation,
        observedGeneration: status?.observedGeneration,
        desired: status?.desiredNumberScheduled ?? 0,
        updated: status?.updatedNumberScheduled ?? 0,
        available: status?.numberAvailable ?? 0,
    };
}

export function deploymentRollout(deployment: k8s.V1Deployment): RolloutStatus {
    const status = deployment.status;
    const desired = deployment.spec?.replicas ?? 1;
    const updated = status?.updatedReplicas ?? 0;
    return {
        generation: deployment.metadata?.generation,
        observedGeneration: status?.observedGeneration,
        desired,
        updated,
        available: status?.availableReplicas ?? 0,
        stale: Math.max(0, (status?.replicas ?? 0) - updated),
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
export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

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
