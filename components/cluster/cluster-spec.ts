/** What the AKS cluster is made of: pure values and functions, tested without Pulumi. */
import * as pulumi from "@pulumi/pulumi";
import { field } from "../../core/unstructured";

/** The Linux system pool; AKS pool names are `^[a-z][a-z0-9]{0,11}$` (AKS Agent Pools REST docs). */
export const SYSTEM_POOL_NAME = "system";
/** The Windows pool of the hand-run lab; AKS limits Windows pool names to 6 characters. */
export const WINDOWS_POOL_NAME = "npwin";
/** Not on Azure's blocklist of Windows admin names (admin, administrator, user, test, root, ...). */
export const WINDOWS_ADMIN_USERNAME = "azureuser";

/** The Windows pool's OS: an `osSKU` to pin, and whether it must run a FIPS image. */
export interface WindowsPoolOs {
    readonly osSKU?: string;
    readonly enableFIPS?: boolean;
}

/**
 * The Windows pool's OS for an AKS version. Windows Server 2022 is the default up to 1.35 and "isn't
 * supported in Kubernetes version 1.37 and later"; Windows Server 2025 is the default from 1.36 and
 * requires a FIPS-enabled image (MicrosoftDocs/azure-aks-docs articles/aks/learn/quick-windows-container-deploy-cli.md
 * and includes/windows-server-2022-retirement.md @fb060abe). Up to 1.36 the pool stays pinned to
 * Windows2022, as the hand-run lab does. From 1.37, and when the version is left to AKS (its default
 * moves on), the SKU is left to AKS, which picks the version's default ("If you don't specify a
 * particular OS SKU, Azure creates the new node pool with the default SKU for the version"): the
 * Windows2025 value is not in @pulumi/azure-native 3.28.0's OSSKU enum (API 2025-09-01), so the
 * lab does not send it. FIPS is on in both cases (enabled by default on Windows2022, same doc).
 */
export function windowsPoolOs(kubernetesVersion: string | undefined): WindowsPoolOs {
    const minor = /^1\.(\d+)(\.\d+)?$/.exec(kubernetesVersion ?? "")?.[1];
    if (minor !== undefined && Number(minor) <= 36) return { osSKU: "Windows2022" };
    return { enableFIPS: true };
}

/**
 * Whether AKS gives the Windows pool its default SKU, Windows Server 2025 from 1.37 (and whatever
 * its default is when the version is left to AKS), rather than the pinned Windows Server 2022.
 * Calico's row in AKS's engine comparison lists "Linux, Windows Server 2019 and 2022" only
 * (MicrosoftDocs/azure-aks-docs articles/aks/use-network-policies.md @025967d2).
 */
export function windowsPoolGetsAksDefault(kubernetesVersion: string | undefined): boolean {
    return windowsPoolOs(kubernetesVersion).osSKU === undefined;
}

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

/**
 * Stops the program when the cluster is stopped (`az aks stop`): its API server does not answer,
 * and every preview and up reads Calico's CRD and diffs the patches through it, which would fail
 * inside the Kubernetes provider (pulumi/pulumi-kubernetes Read on an unreachable cluster).
 * `powerState` is ManagedCluster's, `{ code: "Running" | "Stopped" }` (@pulumi/azure-native 3.28.0
 * containerservice Code); anything else lets the run go on.
 */
export function requireRunning(
    powerState: unknown,
    resourceGroupName: string,
    clusterName: string,
): void {
    if (field(powerState, "code") !== "Stopped") return;
    throw new pulumi.RunError(
        `AKS cluster ${clusterName} is stopped, and the lab reads and patches Calico through its API ` +
            `server: start it with \`az aks start --resource-group ${resourceGroupName} --name ` +
            `${clusterName}\` (a few minutes), then run this again`,
    );
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
