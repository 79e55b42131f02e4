/**
 * What the lab sends to AKS-managed Calico for each dataplane, and in which order. Pure: the
 * CalicoDataplane component turns these decisions into resources.
 */
import type { ExternalServiceMode } from "../config";
import { LINUX_DATAPLANE, type Dataplane } from "../../core/dataplane";

/** Read by the operator in its namespace (tigera/operator pkg/render/node.go K8sSvcEndpointConfigMapName @v1.38.6). */
export const ENDPOINT_CONFIGMAP_NAME = "kubernetes-services-endpoint";
/** AKS's cluster DNS (MicrosoftDocs/azure-aks-docs articles/aks/coredns-custom.md). */
export const DNS_NAMESPACE = "kube-system";
export const DNS_DEPLOYMENT = "coredns";

/**
 * One field manager for everything the lab applies, so ownership is stable across runs (instead
 * of pulumi-kubernetes' random per-resource name, provider/pkg/provider/provider.go fieldManagerName).
 */
export const FIELD_MANAGER = "aks-calico-lab";

/**
 * Felix's default bpfDataIfacePattern (projectcalico/calico felix/config/config_params.go
 * @v3.30.3 and @v3.32.1) without the `P` that matches Azure accelerated networking's `enP*`
 * virtual functions, which Gardener found cut nodes off on Azure
 * (gardener/gardener-extension-provider-azure pkg/webhook/acceleratednetwork/mutate.go). AKS's
 * data NIC is eth0; since Calico 3.30 Felix adds its own tunnel devices to the pattern itself
 * (projectcalico/calico felix/dataplane/linux/bpf_ep_mgr.go @v3.30.3).
 */
export const AZURE_BPF_DATA_IFACE_PATTERN = "^((en|wl|ww|sl|ib)[opsx].*|(eth|wlan|wwan|bond).*)";

export interface FelixSettings {
    readonly bpfExternalServiceMode: ExternalServiceMode;
    readonly wireguard: boolean;
}

/**
 * The FelixConfiguration fields the lab owns for a dataplane. Never `bpfEnabled`: the operator
 * owns it and stalls with "modified by someone else" if anyone else sets it (tigera/operator
 * pkg/controller/installation/bpf.go @v1.38.6). Never `bpfKubeProxyHealthzPort`: AKS's Calico
 * 3.30.3 CRD has no such field. Under iptables the BPF-only fields are left out, which relinquishes
 * them (server-side apply drops fields a manager stops sending).
 */
export function felixConfigurationSpec(dataplane: Dataplane, settings: FelixSettings) {
    if (dataplane === "iptables") return { wireguardEnabled: settings.wireguard };
    return {
        // kube-proxy cannot be removed on AKS (add-on manager); without this Felix and kube-proxy
        // fight over kube-proxy's iptables chains (tigera/docs .../operations/ebpf/install.mdx, AKS tab).
        bpfKubeProxyIptablesCleanupEnabled: false,
        bpfExternalServiceMode: settings.bpfExternalServiceMode,
        bpfDataIfacePattern: AZURE_BPF_DATA_IFACE_PATTERN,
        wireguardEnabled: false,
    };
}

/**
 * The only Installation field the lab sets: `hostPorts` is rejected with Azure CNI (tigera/operator
 * pkg/controller/installation/validation.go @v1.38.6) and the rest is AKS's and the operator's.
 */
export function installationSpec(dataplane: Dataplane) {
    return { calicoNetwork: { linuxDataplane: LINUX_DATAPLANE[dataplane] } } as const;
}

/** Where calico-node reaches the API server directly, not through kube-proxy's service VIP. */
export function endpointConfigMapData(apiServerFqdn: string) {
    return { KUBERNETES_SERVICE_HOST: apiServerFqdn, KUBERNETES_SERVICE_PORT: "443" };
}

/** Annotations of every patch: apply with the lab's field manager, and win over the operator. */
export const PATCH_ANNOTATIONS = {
    "pulumi.com/patchFieldManager": FIELD_MANAGER,
    // The operator writes its defaults, linuxDataplane among them, back into the Installation
    // (tigera/operator pkg/controller/installation/core_controller.go @v1.38.6), so it owns them.
    "pulumi.com/patchForce": "true",
} as const;

/** The steps of a switch. The endpoint ConfigMap always comes first and stays in both modes. */
export type SwitchStep = "felix" | "installation" | "wait" | "restartDns";

/**
 * The order of the steps towards a dataplane, each waiting for the one before. To eBPF, Felix is
 * told not to fight kube-proxy before the Installation switches; back to iptables, the BPF-only
 * Felix settings are relinquished only once Felix has left BPF mode.
 */
export function switchOrder(dataplane: Dataplane): readonly SwitchStep[] {
    return dataplane === "bpf"
        ? ["felix", "installation", "wait", "restartDns"]
        : ["installation", "wait", "felix", "restartDns"];
}
