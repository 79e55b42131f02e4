/**
 * The yaobank demo ("Yet Another Online Bank") as the Calico labs deploy it (tigera/ccol2aws
 * yaobank.yaml @3a617c5), written as objects: database (etcd) <- summary <- customer, plus the
 * lab's LoadBalancer Service in front of customer. Pure: the Yaobank component creates them.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export const NAMESPACE = "yaobank";
export const LOAD_BALANCER_SERVICE = "yaobank-customer";
/** The pod-template annotation that rolls the pods onto a new dataplane. */
const DATAPLANE_ANNOTATION = "aks-calico-lab/dataplane";

type ServiceArgs = k8s.types.input.core.v1.Service;
type DeploymentArgs = k8s.types.input.apps.v1.Deployment;
type ServiceAccountArgs = k8s.types.input.core.v1.ServiceAccount;

export type TierName = "database" | "summary" | "customer";

interface Tier {
    readonly name: TierName;
    /** The only tier that calls this one (upstream's ServiceAccount labels say the same); none for customer. */
    readonly calledBy: TierName | undefined;
    readonly image: string;
    readonly replicas: number;
    readonly port: number;
    /** Labels of the tier's ServiceAccount, as upstream. */
    readonly accountLabels: Record<string, string>;
    readonly container: Partial<k8s.types.input.core.v1.Container>;
    readonly memory: string;
}

export const TIERS: readonly Tier[] = [
    {
        name: "database",
        calledBy: "summary",
        image: "calico/yaobank-database:certification",
        replicas: 1,
        port: 2379,
        accountLabels: { app: "yaobank" },
        container: {
            imagePullPolicy: "IfNotPresent",
            command: ["etcd"],
            args: [
                "-advertise-client-urls",
                "http://database:2379",
                "-listen-client-urls",
                "http://0.0.0.0:2379",
            ],
        },
        memory: "128Mi",
    },
    {
        name: "summary",
        calledBy: "customer",
        image: "calico/yaobank-summary:certification",
        replicas: 2,
        port: 80,
        accountLabels: { app: "yaobank", database: "reader" },
        container: { imagePullPolicy: "Always" },
        memory: "64Mi",
    },
    {
        name: "customer",
        calledBy: undefined,
        image: "calico/yaobank-customer:certification",
        replicas: 1,
        port: 80,
        accountLabels: { app: "yaobank", summary: "reader" },
        container: { imagePullPolicy: "Always" },
        memory: "64Mi",
    },
];

/** The labels of a tier's pods, as upstream (`app`, `version: v1`). */
export function podLabels(tier: TierName): Record<string, string> {
    return { app: tier, version: "v1" };
}

/** The tier the load balancer exposes: the customer page. */
export const ENTRY_TIER = TIERS.find((t) => t.calledBy === undefined) as Tier;

export function namespace() {
    return { metadata: { name: NAMESPACE, labels: { "istio-injection": "disabled" } } };
}

export function serviceAccount(tier: Tier): ServiceAccountArgs {
    return { metadata: { name: tier.name, namespace: NAMESPACE, labels: tier.accountLabels } };
}

export function service(tier: Tier): ServiceArgs {
    return {
        metadata: { name: tier.name, namespace: NAMESPACE, labels: { app: tier.name } },
        spec: {
            selector: { app: tier.name },
            ports: [{ name: "http", port: tier.port, targetPort: tier.port }],
        },
    };
}

/**
 * On the objects whose fields the lab changes after they exist: applied forced, as they are the
 * lab's alone. Every `up` applies them under the field manager Pulumi keeps in its state
 * (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go fieldManagerName), so after a lost
 * state the adopting `up` gets a new one while the old still holds the fields; the next change
 * (the pod template's dataplane annotation, at the next flip) then conflicted (found by the fault
 * suite: a flip after fault 8). `pulumi.com/patchForce` applies to upserts too (pkg/await/await.go
 * patchForce, @v4.25.0 as the tier runs it).
 */
export const LAB_OWNED = { "pulumi.com/patchForce": "true" } as const;

/**
 * A tier's Deployment. `switchApplied` (the dataplane and when it was applied) goes into the pod
 * template: when it changes (after a switch is live) the Deployment rolls its pods, so their
 * connections start on the new dataplane.
 */
export function deployment(tier: Tier, switchApplied: pulumi.Input<string>): DeploymentArgs {
    const labels = podLabels(tier.name);
    return {
        metadata: { name: tier.name, namespace: NAMESPACE, labels, annotations: LAB_OWNED },
        spec: {
            replicas: tier.replicas,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels, annotations: { [DATAPLANE_ANNOTATION]: switchApplied } },
                spec: {
                    serviceAccountName: tier.name,
                    // The images are built FROM ubuntu/etcd for amd64 (spikecurtis/yaobank
                    // customer/Dockerfile); Windows nodes of the lab's optional pool cannot run them.
                    nodeSelector: { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
                    containers: [
                        {
                            name: tier.name,
                            image: tier.image,
                            ...tier.container,
                            ports: [{ containerPort: tier.port, name: "http" }],
                            // TCP, not HTTP: customer's only page calls summary, summary's only route
                            // reads etcd (spikecurtis/yaobank customer.py, summary.py), so an HTTP probe
                            // would mark a tier unready for its neighbour's fault.
                            readinessProbe: {
                                tcpSocket: { port: tier.port },
                                periodSeconds: 5,
                                failureThreshold: 3,
                            },
                            resources: { requests: { cpu: "50m", memory: tier.memory } },
                        },
                    ],
                },
            },
        },
    };
}

/**
 * The lab's public entry: externalTrafficPolicy Cluster is its point (under iptables kube-proxy
 * SNATs to the node's IP; Calico eBPF keeps the client's). The Azure probe stays TCP on the
 * NodePort (cloud-provider-azure pkg/provider/azure_loadbalancer_healthprobe.go
 * buildHealthProbeRulesForPort: the per-port annotation wins over appProtocol), which every node
 * answers under both dataplanes; an HTTP probe of `/` would depend on summary and database.
 */
export function loadBalancerService(): ServiceArgs {
    return {
        metadata: {
            name: LOAD_BALANCER_SERVICE,
            namespace: NAMESPACE,
            annotations: {
                "service.beta.kubernetes.io/port_80_health-probe_protocol": "Tcp",
                ...LAB_OWNED,
            },
        },
        spec: {
            type: "LoadBalancer",
            externalTrafficPolicy: "Cluster",
            selector: { app: "customer" },
            ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" }],
        },
    };
}

/** The load balancer's address from the Service's status.loadBalancer.ingress; undefined while it has none. */
export function loadBalancerAddress(
    ingress: readonly { ip?: string; hostname?: string }[] | undefined,
): string | undefined {
    const first = ingress?.[0];
    return first?.ip ?? first?.hostname;
}

/** The YAO Bank page's URL (an IPv6 address goes in brackets). */
export function yaobankUrl(address: string): string {
    return address.includes(":") ? `http://[${address}]/` : `http://${address}/`;
}
