/**
 * The real tigera/operator in the cluster tier, run as AKS runs it: the process of the
 * tigera-operator pod that kwok runs, with the environment the kubelet gives that pod, the pod's
 * service account, its CRDs bootstrapped, and a process of the cluster's ProcessGroup (stopped with
 * the cluster; its log in the scratch folder's logs/). It renders calico-node, Typha and
 * calico-kube-controllers itself, and writes FelixConfiguration `bpfEnabled`/`nftablesMode`, the
 * Installation's defaults and status, and TigeraStatus.
 *
 *   const operator = await startOperator({ api, group, line, server, caCertFile, scratchDir, logsDir });
 *   operator.stall(true);   // SIGSTOP: no reconcile, no status, until stall(false)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { field } from "../../../core/unstructured";
import type { AksCalicoLine } from "../harness/fixture";
import type { KubeApi } from "../harness/kube-api";
import { waitFor, type ProcessGroup, type RunningProcess } from "../harness/processes";
import { bindClusterAdmin, serviceAccountToken } from "../harness/service-account";
import { kubeletEnv } from "../nodes/pod-env";
import { whenBuilt } from "../toolchain/background";
import { requireOperator } from "../toolchain/operator-build";

/** tigera/operator's namespace, service account and container (Calico's chart, manifests/tigera-operator.yaml). */
const NAMESPACE = "tigera-operator";
const NAME = "tigera-operator";

export interface TierOperator {
    readonly process: RunningProcess;
    /**
     * SIGSTOP (true) or SIGCONT (false) to the operator: while stopped it neither reconciles nor
     * reports status; resumed, its informers catch up with what changed meanwhile.
     */
    stall(on: boolean): void;
}

export interface OperatorOptions {
    readonly api: KubeApi;
    readonly group: ProcessGroup;
    readonly line: AksCalicoLine;
    /** The API server's URL and CA, for the operator's kubeconfig. */
    readonly server: string;
    readonly caCertFile: string;
    readonly scratchDir: string;
    readonly logsDir: string;
}

/** A kubeconfig that authenticates as the operator's service account, with a bound token. */
async function serviceAccountKubeconfig(options: OperatorOptions): Promise<string> {
    const token = await serviceAccountToken(options.api, NAMESPACE, NAME);
    const ca = readFileSync(options.caCertFile).toString("base64");
    const path = join(options.scratchDir, `${NAME}.kubeconfig`);
    writeFileSync(
        path,
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: local",
            "    cluster:",
            `      server: ${options.server}`,
            `      certificate-authority-data: ${ca}`,
            "users:",
            `  - name: ${NAME}`,
            "    user:",
            `      token: ${token}`,
            "contexts:",
            "  - name: local",
            "    context:",
            "      cluster: local",
            `      user: ${NAME}`,
            "current-context: local",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
    return path;
}

/** The tigera-operator pod kwok runs, once the Deployment's pod is scheduled. */
async function operatorPod(api: KubeApi): Promise<unknown> {
    return waitFor(
        "the tigera-operator pod",
        async () => {
            const pods = await api.get<{ items: unknown[] }>(
                `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=name%3D${NAME}`,
            );
            return pods.items.find((pod) => typeof field(pod, "spec", "nodeName") === "string");
        },
        60_000,
    );
}

/**
 * The operator's environment as the kubelet builds it for its container: the Deployment's env
 * (WATCH_NAMESPACE, POD_NAME, OPERATOR_NAME, TIGERA_OPERATOR_INIT_IMAGE_VERSION), the optional
 * kubernetes-services-endpoint ConfigMap, the `kubernetes` Service's address (from which the
 * operator's own endpoint starts: pkg/controller/k8sapi/k8s-endpoint.go @v1.40.2). Its API
 * client takes KUBECONFIG (controller-runtime's GetConfig prefers it to the in-cluster config),
 * the pod's service account token in place of the projected volume.
 */
async function operatorEnv(api: KubeApi, kubeconfig: string): Promise<NodeJS.ProcessEnv> {
    const pod = await operatorPod(api);
    const maps = await api.get<{
        items: { metadata: { name: string }; data?: Record<string, string> }[];
    }>(`/api/v1/namespaces/${NAMESPACE}/configmaps`);
    const service = await api.get<{ spec: { clusterIP: string; ports: { port: number }[] } }>(
        "/api/v1/namespaces/default/services/kubernetes",
    );
    const env = kubeletEnv({
        pod,
        container: NAME,
        configMaps: new Map(maps.items.map((m) => [m.metadata.name, m.data ?? {}])),
        kubernetesService: {
            host: service.spec.clusterIP,
            port: String(service.spec.ports[0]?.port ?? 443),
        },
    });
    return { ...env, KUBECONFIG: kubeconfig, PATH: process.env["PATH"] ?? "/usr/bin:/bin" };
}

export async function startOperator(options: OperatorOptions): Promise<TierOperator> {
    const binary = await whenBuilt(() => requireOperator(options.line.calicoVersion));
    const { api, group } = options;
    // Stands in for the operator's ClusterRole: Calico's chart has it only as a Helm template
    // (charts/tigera-operator/templates/tigera-operator/02-role-tigera-operator.yaml @v3.31.7) and
    // the operator's tree has none; AKS's own manifest is not public.
    await bindClusterAdmin(api, NAMESPACE, NAME);
    const env = await operatorEnv(api, await serviceAccountKubeconfig(options));

    // One replica, so no election (the manager is set up, election included, before -bootstrap-crds
    // acts, cmd/main.go @v1.40.2); and a stalled (SIGSTOPped) operator would lose its lease and exit
    // when resumed, with no kubelet here to restart it.
    const noElection = "-enable-leader-election=false";
    // Creates the operator's CRDs that are missing and exits (cmd/main.go `-bootstrap-crds`, crds.Ensure:
    // create only, so the AKS line's Installation and FelixConfiguration CRDs stay as AKS ships them).
    const bootstrap = group.start(
        `${NAME} -bootstrap-crds`,
        binary,
        ["-bootstrap-crds", noElection],
        join(options.logsDir, `${NAME}-bootstrap-crds.log`),
        env,
    );
    const code = await bootstrap.exited;
    if (code !== 0) {
        throw new Error(`${NAME} -bootstrap-crds exited ${String(code)}; see ${bootstrap.logFile}`);
    }
    const running = group.start(
        NAME,
        binary,
        [noElection],
        join(options.logsDir, `${NAME}.log`),
        env,
    );
    return {
        process: running,
        stall(on) {
            try {
                process.kill(-running.pid, on ? "SIGSTOP" : "SIGCONT");
            } catch {
                // ESRCH: the operator is gone; the cluster's checks report its exit.
            }
        },
    };
}
