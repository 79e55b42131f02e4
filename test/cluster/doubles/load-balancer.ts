/**
 * The Azure load balancer double: what AKS's cloud-controller-manager does to a Service of type
 * LoadBalancer, as a pure reaction; run.ts writes it.
 *
 * What it imitates: the service controller of k8s.io/cloud-provider
 * (kubernetes/kubernetes staging/src/k8s.io/cloud-provider/controllers/service/controller.go,
 * syncLoadBalancerIfNeeded), which cloud-provider-azure runs with its Azure implementation:
 * - a Service wants a load balancer when its type is LoadBalancer and it names no
 *   loadBalancerClass (wantsLoadBalancer);
 * - it adds the finalizer `service.kubernetes.io/load-balancer-cleanup` before ensuring the load
 *   balancer, then patches status.loadBalancer with what EnsureLoadBalancer returned: for Azure
 *   (kubernetes-sigs/cloud-provider-azure pkg/provider/azure_loadbalancer.go EnsureLoadBalancer)
 *   one ingress entry with the frontend's IP address;
 * - when the Service is being deleted, or no longer wants one, while it carries the finalizer
 *   (needsCleanup), it deletes the load balancer, removes the finalizer and clears the status.
 * Here the "frontend IP" is a loopback address (127.0.0.x) the double hands out, so a client on
 * this machine can reach it only if something listens there; nothing forwards traffic.
 */
import { field } from "../../../core/unstructured";

export const LB_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

/** What the controller writes for one Service; undefined fields are left alone. */
export interface LoadBalancerReaction {
    /** The finalizers to write (the whole list, as a patch replaces it). */
    readonly finalizers?: readonly string[];
    /** status.loadBalancer to write. */
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip: string }[] };
}

const finalizersOf = (service: unknown): string[] => {
    const value = field(service, "metadata", "finalizers");
    return Array.isArray(value) ? value.filter((f): f is string => typeof f === "string") : [];
};

const wantsLoadBalancer = (service: unknown): boolean =>
    field(service, "spec", "type") === "LoadBalancer" &&
    (field(service, "spec", "loadBalancerClass") ?? undefined) === undefined;

const ingressIp = (service: unknown): unknown =>
    field(service, "status", "loadBalancer", "ingress", "0", "ip");

/**
 * The controller's reaction to a Service; `allocate` gives the frontend address of a Service that
 * gets a load balancer now. Undefined when there is nothing to write.
 */
export function loadBalancerReaction(
    service: unknown,
    allocate: () => string,
): LoadBalancerReaction | undefined {
    const finalizers = finalizersOf(service);
    const hasFinalizer = finalizers.includes(LB_FINALIZER);
    const deleting = field(service, "metadata", "deletionTimestamp") !== undefined;
    if (hasFinalizer && (deleting || !wantsLoadBalancer(service))) {
        return { finalizers: finalizers.filter((f) => f !== LB_FINALIZER), loadBalancer: {} };
    }
    if (deleting || !wantsLoadBalancer(service)) return undefined;
    const ip = ingressIp(service);
    if (hasFinalizer && typeof ip === "string") return undefined;
    return {
        ...(hasFinalizer ? {} : { finalizers: [...finalizers, LB_FINALIZER] }),
        loadBalancer: { ingress: [{ ip: typeof ip === "string" ? ip : allocate() }] },
    };
}

/** Frontend addresses 127.0.0.100 and up, one per Service (the harness's nodes use .2 and .3). */
export function loopbackAllocator(first = 100): () => string {
    let next = first;
    return () => {
        if (next > 254) throw new Error("the load balancer double ran out of 127.0.0.x addresses");
        return `127.0.0.${next++}`;
    };
}
