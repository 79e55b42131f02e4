/**
 * Runs the doubles against the local cluster tier's API server: it watches the objects each
 * double's upstream counterpart watches and applies the pure reactions of operator.ts,
 * load-balancer.ts and yaobank-traffic.ts (Felix is real: ../nodes). No decision is made here; this file only reads,
 * schedules, listens and writes. yaobank's load balancer address is served on this machine (root
 * may bind port 80 on 127.0.0.100+) once the Service has it, so `npm run verify` can run.
 *
 *   const doubles = await startDoubles({ kubeconfigYaml, logPath, operatorVersion: "1.40", dataplaneOn });
 *   doubles.stall(true);            // the operator stops reacting: a flip cannot finish
 *   await doubles.stop();
 */
import * as k8s from "@kubernetes/client-node";
import type { Dataplane } from "../../../core/dataplane";
import { field } from "../../../core/unstructured";
import { orUndefined } from "../../../tools/kube/client";
import {
    ENTRY_TIER,
    LOAD_BALANCER_SERVICE,
    NAMESPACE as YAOBANK_NAMESPACE,
} from "../../../components/yaobank/yaobank-spec";
import { message, watchForever } from "../harness/watch";
import { loadBalancerReaction, loopbackAllocator } from "./load-balancer";
import {
    bpfEnabledPatch,
    installationWantsBpf,
    nextEndpoint,
    nftablesModePatch,
    OPERATOR_FIELD_MANAGER,
    renderCalicoNodeTemplate,
    renderEndpointEnv,
    sameJson,
    tigeraStatusConditions,
    type Endpoint,
    type OperatorVersion,
    type TigeraCondition,
} from "./operator";
import {
    customerFrontend,
    nodeAddresses,
    routeRequest,
    serveCustomer,
    type Client,
    type CustomerServer,
    type Delivery,
} from "./yaobank-traffic";

/** Where a pod's container log lives: the file kwok serves for it (the harness's `logPath`). */
export type LogPath = (namespace: string, pod: string, container: string) => string;

export interface DoublesOptions {
    readonly kubeconfigYaml: string;
    readonly logPath: LogPath;
    /** 1.38 runs Calico 3.30 (AKS 1.33), 1.40 runs Calico 3.31 (AKS 1.35/1.36). */
    readonly operatorVersion: OperatorVersion;
    /**
     * The dataplane a node runs now, as its kernel shows it (real Felix programs it): which path a
     * request to the load balancer takes, and so which source IP yaobank sees.
     */
    readonly dataplaneOn: (node: string) => Dataplane | undefined;
    /** The status manager's tick (status.go Run: 5 s). */
    readonly statusIntervalMs?: number;
    /** Requeue while not Available (utils.StandardRetry: 30 s). */
    readonly requeueMs?: number;
    /** Diagnostics (what each double did); silent by default. */
    readonly log?: (line: string) => void;
}

export interface Doubles {
    /** The operator stops reacting (no reconcile, no status) until resumed. */
    stall(on: boolean): void;
    stop(): Promise<void>;
}

const CALICO_NAMESPACE = "calico-system";
const OPERATOR_NAMESPACE = "tigera-operator";
const ENDPOINT_CONFIGMAP = "kubernetes-services-endpoint";
const CALICO_NODE = "calico-node";
const MERGE_PATCH = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
const FELIX_CONFIGURATION = {
    group: "crd.projectcalico.org",
    version: "v1",
    plural: "felixconfigurations",
    name: "default",
};
const INSTALLATION = {
    group: "operator.tigera.io",
    version: "v1",
    plural: "installations",
    name: "default",
};
const TIGERA_STATUS = {
    group: "operator.tigera.io",
    version: "v1",
    plural: "tigerastatuses",
    name: "calico",
};
/** Deployments whose env the endpoint also sets (render/typha.go, kubecontrollers/kube-controllers.go). */
const ENDPOINT_DEPLOYMENTS = [
    { name: "calico-typha", container: "calico-typha" },
    { name: "calico-kube-controllers", container: "calico-kube-controllers" },
];

/** The string (or number, as text) at `path`; "" for anything else. */
function text(object: unknown, ...path: string[]): string {
    const value = field(object, ...path);
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/** A reconcile loop like controller-runtime's work queue: one run at a time, reruns coalesced. */
class Queue {
    private running = false;
    private again = false;
    private timer: NodeJS.Timeout | undefined;
    constructor(
        private readonly work: () => Promise<void>,
        private readonly onError: (error: unknown) => void,
    ) {}
    trigger(): void {
        if (this.running) {
            this.again = true;
            return;
        }
        this.running = true;
        void this.work()
            .catch(this.onError)
            .finally(() => {
                this.running = false;
                if (this.again) {
                    this.again = false;
                    this.trigger();
                }
            });
    }
    after(ms: number): void {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
            this.trigger();
        }, ms);
    }
    stop(): void {
        clearTimeout(this.timer);
    }
}

export async function startDoubles(options: DoublesOptions): Promise<Doubles> {
    const config = new k8s.KubeConfig();
    config.loadFromString(options.kubeconfigYaml);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const discovery = config.makeApiClient(k8s.DiscoveryV1Api);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const watch = new k8s.Watch(config);
    const log = options.log ?? (() => {});
    const version = options.operatorVersion;
    let stopped = false;
    let stalled = false;
    const controllers = new Set<AbortController>();
    const watchPath = (
        path: string,
        query: Record<string, string>,
        onEvent: (phase: string, object: unknown) => void,
    ) => {
        watchForever(watch, path, query, onEvent, log, () => stopped, controllers);
    };

    const readFelixConfiguration = () =>
        orUndefined<unknown>(custom.getClusterCustomObject(FELIX_CONFIGURATION));
    const patchFelixConfiguration = (body: unknown) =>
        custom.patchClusterCustomObject(
            { ...FELIX_CONFIGURATION, body, fieldManager: OPERATOR_FIELD_MANAGER },
            MERGE_PATCH,
        );
    // DaemonSets and Deployments are read and patched as plain JSON through the generic
    // /apis/<group>/<version> paths: the typed models of @kubernetes/client-node 2.0.1 drop fields
    // they do not know, which a whole pod template written back would lose.
    const appsObject = (plural: string, name: string) => ({
        group: "apps",
        version: "v1",
        namespace: CALICO_NAMESPACE,
        plural,
        name,
    });
    const readApps = (plural: string, name: string) =>
        orUndefined<unknown>(custom.getNamespacedCustomObject(appsObject(plural, name)));
    const readCalicoNode = () => readApps("daemonsets", CALICO_NODE);

    // ---- the operator ----
    const operator = {
        endpoint: undefined as Endpoint | undefined,
        enabled: false,
        readyToMonitor: false,
        degraded: undefined as { reason: string; message: string } | undefined,
        observedGeneration: undefined as number | undefined,
    };

    async function reconcile(): Promise<void> {
        if (stalled || stopped) return;
        const installation = await orUndefined<unknown>(
            custom.getClusterCustomObject(INSTALLATION),
        );
        if (installation === undefined) {
            operator.enabled = false;
            return;
        }
        operator.enabled = true;
        try {
            const configMap = await orUndefined(
                core.readNamespacedConfigMap({
                    name: ENDPOINT_CONFIGMAP,
                    namespace: OPERATOR_NAMESPACE,
                }),
            );
            operator.endpoint = nextEndpoint(operator.endpoint, configMap?.data);
            const nftables = nftablesModePatch(
                version,
                installation,
                await readFelixConfiguration(),
            );
            if (nftables !== undefined) {
                await patchFelixConfiguration(nftables);
                log(`operator: FelixConfiguration default ${JSON.stringify(nftables)}`);
            }
            await renderComponents(installation);
            operator.readyToMonitor = true;
            const update = bpfEnabledPatch(
                installation,
                await readFelixConfiguration(),
                await readCalicoNode(),
            );
            if (update.kind === "error") {
                operator.degraded = {
                    reason: "ResourceUpdateError",
                    message: `Error updating resource: ${update.message}`,
                };
                log(`operator: degraded: ${update.message}`);
                return;
            }
            if (update.kind === "patch") {
                await patchFelixConfiguration(update.patch);
                log(`operator: FelixConfiguration default ${JSON.stringify(update.patch)}`);
            }
            operator.degraded = undefined;
        } catch (error) {
            operator.degraded = {
                reason: "ResourceUpdateError",
                message: `Error updating resource: ${message(error)}`,
            };
            throw error;
        } finally {
            // SetMetaData is deferred at the top of Reconcile.
            const generation = field(installation, "metadata", "generation");
            if (typeof generation === "number") operator.observedGeneration = generation;
            if (!isAvailable()) reconciler.after(options.requeueMs ?? 30_000);
        }
    }

    /**
     * Writes a workload's pod template when the render changed it. The resourceVersion makes the
     * merge patch fail on a template that changed since it was read (the real operator updates from
     * its cache the same way); the next reconcile renders again.
     */
    async function writeTemplate(plural: string, object: unknown, template: unknown) {
        if (sameJson(template, field(object, "spec", "template"))) return;
        const name = text(object, "metadata", "name");
        await custom.patchNamespacedCustomObject(
            {
                ...appsObject(plural, name),
                body: {
                    metadata: { resourceVersion: text(object, "metadata", "resourceVersion") },
                    spec: { template },
                },
                fieldManager: OPERATOR_FIELD_MANAGER,
            },
            MERGE_PATCH,
        );
        log(`operator: ${plural} ${name} re-rendered`);
    }

    async function renderComponents(installation: unknown): Promise<void> {
        const daemonSet = await readCalicoNode();
        if (daemonSet !== undefined) {
            const template = renderCalicoNodeTemplate(field(daemonSet, "spec", "template"), {
                version,
                bpf: installationWantsBpf(installation),
                endpoint: operator.endpoint,
            });
            await writeTemplate("daemonsets", daemonSet, template);
        }
        for (const { name, container } of ENDPOINT_DEPLOYMENTS) {
            const deployment = await readApps("deployments", name);
            if (deployment === undefined) continue;
            const template = renderEndpointEnv(
                field(deployment, "spec", "template"),
                container,
                operator.endpoint,
            );
            await writeTemplate("deployments", deployment, template);
        }
    }

    let lastDaemonSet: unknown;
    const isAvailable = (): boolean =>
        tigeraStatusConditions([], {
            daemonSets:
                lastDaemonSet === undefined
                    ? []
                    : [{ key: `${CALICO_NAMESPACE}/${CALICO_NODE}`, object: lastDaemonSet }],
            degraded: operator.degraded,
            observedGeneration: undefined,
            now: new Date(),
        })?.[0]?.status === "True";

    async function updateStatus(): Promise<void> {
        if (stalled || !operator.enabled || !operator.readyToMonitor) return;
        lastDaemonSet = await readCalicoNode();
        const current = await orUndefined<unknown>(custom.getClusterCustomObject(TIGERA_STATUS));
        const previous = field(current, "status", "conditions");
        const conditions = tigeraStatusConditions(
            Array.isArray(previous) ? (previous as TigeraCondition[]) : [],
            {
                daemonSets:
                    lastDaemonSet === undefined
                        ? []
                        : [{ key: `${CALICO_NAMESPACE}/${CALICO_NODE}`, object: lastDaemonSet }],
                degraded: operator.degraded,
                observedGeneration: operator.observedGeneration,
                now: new Date(),
            },
        );
        if (conditions === undefined) return;
        const body = { status: { conditions } };
        if (current === undefined) {
            await custom.createClusterCustomObject({
                ...TIGERA_STATUS,
                body: {
                    apiVersion: "operator.tigera.io/v1",
                    kind: "TigeraStatus",
                    metadata: { name: "calico" },
                },
            });
        }
        await custom.patchClusterCustomObjectStatus(
            { ...TIGERA_STATUS, body, fieldManager: OPERATOR_FIELD_MANAGER },
            MERGE_PATCH,
        );
        log(
            `operator: TigeraStatus calico ${conditions.map((c) => `${c.type}=${c.status}`).join(" ")}`,
        );
    }

    const reconciler = new Queue(reconcile, (error) => {
        log(`operator: reconcile failed: ${message(error)}`);
        // controller-runtime requeues a failed reconcile with a short, growing backoff.
        reconciler.after(1000);
    });
    const statusTicker = setInterval(
        () =>
            void updateStatus().catch((error: unknown) => {
                log(`operator: status failed: ${message(error)}`);
            }),
        options.statusIntervalMs ?? 5000,
    );

    // ---- the load balancer ----
    const allocate = loopbackAllocator();
    /** One frontend address per Service, however many events race before its status lands. */
    const frontends = new Map<string, string>();
    const frontendOf = (uid: string): string => {
        const address = frontends.get(uid) ?? allocate();
        frontends.set(uid, address);
        return address;
    };
    const manager = "cloud-controller-manager";
    async function setFinalizers(object: unknown, finalizers: readonly string[]): Promise<void> {
        await core.patchNamespacedService(
            {
                name: text(object, "metadata", "name"),
                namespace: text(object, "metadata", "namespace"),
                // The resourceVersion makes it a compare-and-swap: other finalizers are not lost.
                body: {
                    metadata: {
                        finalizers,
                        resourceVersion: text(object, "metadata", "resourceVersion"),
                    },
                },
                fieldManager: manager,
            },
            MERGE_PATCH,
        );
    }
    async function onService(phase: string, object: unknown): Promise<void> {
        const uid = text(object, "metadata", "uid");
        if (phase === "DELETED") {
            frontends.delete(uid);
            return;
        }
        const reaction = loadBalancerReaction(object, () => frontendOf(uid));
        if (reaction === undefined) return;
        const ingress = reaction.loadBalancer?.ingress;
        // Finalizer before the load balancer exists; removed only once it is gone (syncLoadBalancerIfNeeded).
        if (ingress !== undefined && reaction.finalizers !== undefined) {
            await setFinalizers(object, reaction.finalizers);
        }
        if (reaction.loadBalancer !== undefined) {
            await core.patchNamespacedServiceStatus(
                {
                    name: text(object, "metadata", "name"),
                    namespace: text(object, "metadata", "namespace"),
                    // A merge patch removes a field only when told null.
                    body: { status: { loadBalancer: { ingress: ingress ?? null } } },
                    fieldManager: manager,
                },
                MERGE_PATCH,
            );
        }
        if (ingress === undefined && reaction.finalizers !== undefined) {
            await setFinalizers(object, reaction.finalizers);
        }
        log(
            `load balancer: ${text(object, "metadata", "namespace")}/${text(object, "metadata", "name")} ${JSON.stringify(reaction)}`,
        );
    }

    // ---- yaobank's traffic ----
    async function routeCustomer(client: Client): Promise<Delivery | undefined> {
        const [slices, nodes] = await Promise.all([
            discovery.listNamespacedEndpointSlice({
                namespace: YAOBANK_NAMESPACE,
                labelSelector: `kubernetes.io/service-name=${LOAD_BALANCER_SERVICE}`,
            }),
            core.listNode(),
        ]);
        const route = routeRequest({
            slices: slices.items,
            nodes: nodeAddresses(nodes.items),
            client,
            dataplaneOn: options.dataplaneOn,
            pick: (count) => Math.floor(Math.random() * count),
        });
        log(
            route === undefined
                ? `yaobank: ${client.address}:${client.port}: no node or no ready endpoint, connection dropped`
                : `yaobank: ${client.address}:${client.port} via ${route.forwarder.name} (${route.dataplane}) ` +
                      `to ${route.backend.pod}, which sees ${route.sourceIp}`,
        );
        return route === undefined
            ? undefined
            : {
                  logFile: options.logPath(YAOBANK_NAMESPACE, route.backend.pod, ENTRY_TIER.name),
                  sourceIp: route.sourceIp,
              };
    }
    let customerServer: CustomerServer | undefined;
    let frontendKey = "";
    /** Listener changes, one after another. */
    let listening: Promise<void> = Promise.resolve();
    function onYaobankService(phase: string, object: unknown): void {
        const frontend = phase === "DELETED" ? undefined : customerFrontend(object);
        const key = frontend === undefined ? "" : `${frontend.ip}:${frontend.port}`;
        if (key === frontendKey || stopped) return;
        frontendKey = key;
        listening = listening.then(async () => {
            await customerServer?.close();
            customerServer = undefined;
            if (frontend === undefined || stopped) return;
            customerServer = await serveCustomer({
                host: frontend.ip,
                port: frontend.port,
                route: routeCustomer,
                onError: (error) => {
                    log(`yaobank: ${message(error)}`);
                },
            }).catch((error: unknown) => {
                log(`yaobank: cannot listen on ${key}: ${message(error)}`);
                return undefined;
            });
            if (customerServer !== undefined) log(`yaobank: serving ${key}`);
        });
    }

    // ---- watches ----
    // The first reconcile runs before anything is watched, so the caller gets a cluster the
    // operator has rendered (the fixture's calico-node may differ from the operator's render).
    await reconcile().catch((error: unknown) => {
        log(`operator: first reconcile failed: ${message(error)}`);
    });
    const trigger = () => {
        reconciler.trigger();
    };
    watchPath("/apis/operator.tigera.io/v1/installations", {}, trigger);
    watchPath(
        "/api/v1/namespaces/tigera-operator/configmaps",
        { fieldSelector: `metadata.name=${ENDPOINT_CONFIGMAP}` },
        trigger,
    );
    watchPath(
        "/apis/apps/v1/namespaces/calico-system/daemonsets",
        { fieldSelector: `metadata.name=${CALICO_NODE}` },
        (_phase, object) => {
            lastDaemonSet = object;
            trigger();
        },
    );
    watchPath("/apis/apps/v1/namespaces/calico-system/deployments", {}, trigger);
    watchPath(
        "/apis/crd.projectcalico.org/v1/felixconfigurations",
        { fieldSelector: "metadata.name=default" },
        trigger,
    );
    watchPath(
        `/api/v1/namespaces/${YAOBANK_NAMESPACE}/services`,
        { fieldSelector: `metadata.name=${LOAD_BALANCER_SERVICE}` },
        onYaobankService,
    );
    watchPath("/api/v1/services", {}, (phase, object) => {
        void onService(phase, object).catch((error: unknown) => {
            log(`load balancer: ${message(error)}`);
        });
    });

    return {
        stall(on: boolean): void {
            stalled = on;
            log(`operator ${on ? "stalled" : "resumed"}`);
            if (!on) reconciler.trigger();
        },
        async stop(): Promise<void> {
            stopped = true;
            clearInterval(statusTicker);
            reconciler.stop();
            for (const controller of controllers) controller.abort();
            await listening;
            await customerServer?.close();
        },
    };
}
