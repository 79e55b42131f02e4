/** What the AKS cluster is made of: pure values and functions, tested without Pulumi. */
import type * as pulumi from "@pulumi/pulumi";

/** The Linux system pool; AKS pool names are `^[a-z][a-z0-9]{0,11}$` (AKS Agent Pools REST docs). */
export const SYSTEM_POOL_NAME = "system";
/** The Windows pool of the hand-run lab; AKS limits Windows pool names to 6 characters. */
export const WINDOWS_POOL_NAME = "npwin";
/** Not on Azure's blocklist of Windows admin names (admin, administrator, user, test, root, ...). */
export const WINDOWS_ADMIN_USERNAME = "azureuser";

/**
 * Azure CNI (pods take VNet addresses, so the customer pod logs the node's VNet IP under iptables,
 * as in the hand-run lab) with Calico network policy behind a standard load balancer.
 */
export function clusterNetworkProfile() {
    return {
        networkPlugin: "azure",
        networkPolicy: "calico",
        loadBalancerSku: "standard",
    } as const;
}

/**
 * @pulumi/azure-native 3.28.0 (types/input.js, containerServiceNetworkProfileArgsProvideDefaults)
 * always injects `podCidr: "10.244.0.0/16"`. The 2025-09-01 API documents podCidr as used "when
 * kubenet is used" (azure-rest-api-specs .../aks/stable/2025-09-01/managedClusters.json), az aks
 * create refuses it for Azure CNI without overlay (Azure/azure-cli#26237), and AKS does not store
 * it there (hashicorp/terraform-provider-azurerm#20573): sending it would be a value the service
 * drops, and a standing diff against the read-back state. So it is removed before registration.
 */
export function withoutPodCidrForAzureCni(
    args: pulumi.ResourceTransformArgs,
): pulumi.ResourceTransformResult | undefined {
    const profile: unknown = args.props["networkProfile"];
    if (!isRecord(profile) || !("podCidr" in profile)) return undefined;
    if (profile["networkPlugin"] !== "azure" || profile["networkPluginMode"] !== undefined) {
        return undefined;
    }
    const { podCidr: _dropped, ...networkProfile } = profile;
    return { props: { ...args.props, networkProfile }, opts: args.opts };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
