/**
 * yaobank's NetworkPolicies (networking.k8s.io/v1, enforced by Calico): no ingress unless allowed,
 * each tier open only to the tier that calls it, and the customer page open to everyone or to an
 * allow-list of client CIDRs. Only ingress is restricted, so DNS and other egress keep working.
 */
import type * as k8s from "@pulumi/kubernetes";
import { NAMESPACE, TIERS } from "./yaobank-spec";

type NetworkPolicyArgs = k8s.types.input.networking.v1.NetworkPolicy & {
    metadata: { name: string; namespace: string; labels: Record<string, string> };
};

/**
 * Every IPv4 Azure Load Balancer health probe comes from this address (MicrosoftDocs/azure-docs
 * articles/load-balancer/load-balancer-custom-probe-overview.md, "Probe source IP address").
 */
export const AZURE_HEALTH_PROBE_SOURCE = "168.63.129.16/32";

export interface PolicyOptions {
    /** Client CIDR blocks allowed to reach customer's port; undefined lets anyone in. */
    readonly allowedClientCidrs: readonly string[] | undefined;
}

const policy = (name: string, spec: NetworkPolicyArgs["spec"]): NetworkPolicyArgs => ({
    metadata: { name, namespace: NAMESPACE, labels: { app: "yaobank" } },
    spec,
});

export function yaobankNetworkPolicies(options: PolicyOptions): NetworkPolicyArgs[] {
    const perTier = TIERS.map((tier) => {
        const port = { protocol: "TCP", port: tier.port };
        if (tier.calledBy !== undefined) {
            return policy(`${tier.name}-from-${tier.calledBy}`, {
                podSelector: { matchLabels: { app: tier.name } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ podSelector: { matchLabels: { app: tier.calledBy } } }],
                        ports: [port],
                    },
                ],
            });
        }
        const clients = options.allowedClientCidrs;
        return policy(`${tier.name}-from-clients`, {
            podSelector: { matchLabels: { app: tier.name } },
            policyTypes: ["Ingress"],
            ingress: [
                clients === undefined
                    ? { ports: [port] }
                    : {
                          // The allow-list, and the load balancer's probes of the NodePort: they
                          // keep their source address wherever the client's is kept.
                          from: [...clients, AZURE_HEALTH_PROBE_SOURCE].map((cidr) => ({
                              ipBlock: { cidr },
                          })),
                          ports: [port],
                      },
            ],
        });
    });
    return [
        policy("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }),
        ...perTier,
    ];
}
