/**
 * Runs the doubles of what only Azure runs (its cloud controller's load balancer, and the traffic
 * that reaches yaobank through it) against the local cluster tier's API server: it watches the
 * objects their upstream counterparts watch and applies the pure reactions of load-balancer.ts and
 * yaobank-traffic.ts (the operator, Felix and Typha are real: ../operator, ../nodes). No decision
 * is made here; this file only reads, listens and writes. yaobank's load balancer address is served
 * on this machine (root may bind port 80 on 127.0.0.100+) once the Service has it, so `npm run
 * verify` can run.
 *
 *   const doubles = await startDoubles({ kubeconfigYaml, logPath, dataplaneOn });
 *   await doubles.stop();
 */
import * as k8s from "@kubernetes/client-node";
import type { Dataplane } from "../../../core/dataplane";
import { field } from "../../../core/unstructured";
import {
    ENTRY_TIER,
    LOAD_BALANCER_SERVICE,
    NAMESPACE as YAOBANK_NAMESPACE,
} from "../../../components/yaobank/yaobank-spec";
import { message, watchForever } from "../harness/watch";
import { loadBalancerReaction, loopbackAllocator } from "./load-balancer";
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
    /**
     * The dataplane a node runs now, as its kernel shows it (real Felix programs it): which path a
     * request to the load balancer takes, and so which source IP yaobank sees.
     */
    readonly dataplaneOn: (node: string) => Dataplane | undefined;
    /** Diagnostics (what each double did); silent by default. */
    readonly log?: (line: string) => void;
}

export interface Doubles {
    stop(): Promise<void>;
}

const MERGE_PATCH = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

/** The string (or number, as text) at `path`; "" for anything else. */
function text(object: unknown, ...path: string[]): string {
    const value = field(object, ...path);
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

export function startDoubles(options: DoublesOptions): Doubles {
    const config = new k8s.KubeConfig();
    config.loadFromString(options.kubeconfigYaml);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const discovery = config.makeApiClient(k8s.DiscoveryV1Api);
    const watch = new k8s.Watch(config);
    const log = options.log ?? (() => {});
    let stopped = false;
    const controllers = new Set<AbortController>();
    const watchPath = (
        path: string,
        query: Record<string, string>,
        onEvent: (phase: string, object: unknown) => void,
    ) => {
        watchForever(watch, path, query, onEvent, log, () => stopped, controllers);
    };

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
        async stop(): Promise<void> {
            stopped = true;
            for (const controller of controllers) controller.abort();
            await listening;
            await customerServer?.close();
        },
    };
}
