/** The objects of AKS-managed Calico the lab reads and patches: where they live and what they are called. */

/** The operator's namespace (tigera/operator pkg/common/operator_namespace.go @v1.38.6). */
export const OPERATOR_NAMESPACE = "tigera-operator";
/** calico-node runs as this DaemonSet (tigera/operator pkg/common/common.go @v1.38.6). */
export const CALICO_NODE = { namespace: "calico-system", name: "calico-node" } as const;

/** A cluster-scoped custom object: its API, kind, plural and the one instance the lab uses. */
export interface ClusterObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly plural: string;
    readonly name: string;
}

/**
 * Without a Calico API server (none on AKS-managed Calico), FelixConfiguration is only reachable
 * as crd.projectcalico.org/v1 (tigera/operator pkg/apis/register.go @v1.38.6; Azure/AKS#4038).
 */
export const FELIX_CONFIGURATION = {
    apiVersion: "crd.projectcalico.org/v1",
    kind: "FelixConfiguration",
    plural: "felixconfigurations",
    name: "default",
} as const satisfies ClusterObject;
/** Where FelixConfiguration holds the connect-time load balancer setting, the lab's second patch of it. */
export const CONNECT_TIME_LOAD_BALANCING_PATH = ["spec", "bpfConnectTimeLoadBalancing"] as const;
export const INSTALLATION = {
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    plural: "installations",
    name: "default",
} as const satisfies ClusterObject;
/** The operator's status for Calico (tigera/operator pkg/controller/installation/core_controller.go @v1.38.6). */
export const TIGERA_STATUS = {
    apiVersion: "operator.tigera.io/v1",
    kind: "TigeraStatus",
    plural: "tigerastatuses",
    name: "calico",
} as const satisfies ClusterObject;

/** How messages name an object: `Installation default`, `DaemonSet calico-system/calico-node`. */
export const describeObject = (object: { kind: string; name: string }): string =>
    `${object.kind} ${object.name}`;
export const CALICO_NODE_TITLE = `DaemonSet ${CALICO_NODE.namespace}/${CALICO_NODE.name}`;

/**
 * FelixConfiguration's kube-proxy healthz port, as each Calico line spells it: absent in 3.30.3,
 * `bpfKubeProxyHealtzPort` (sic) in 3.30.4, `bpfKubeProxyHealthzPort` from 3.30.5 (projectcalico/calico
 * commit 32c93930 "Fix typo in Felix Healthz port (#11209)"; shared/crds aks-managed-calico-*).
 */
export const KUBE_PROXY_HEALTHZ_PORT_FIELDS = [
    "bpfKubeProxyHealthzPort",
    "bpfKubeProxyHealtzPort",
] as const;
export type KubeProxyHealthzPortField = (typeof KUBE_PROXY_HEALTHZ_PORT_FIELDS)[number];

/**
 * The kube-proxy healthz port field a Calico release's Felix reads, from its version
 * (`v3.31.2`, Installation status.calicoVersion): `none` before 3.30.4, whose Felix starts no such
 * server; `bpfKubeProxyHealtzPort` in 3.30.4; `bpfKubeProxyHealthzPort` from 3.30.5
 * (projectcalico/calico felix/config/config_params.go at v3.29.5, v3.30.3, v3.30.4, v3.30.5, v3.31.0,
 * v3.32.1). Undefined when the version cannot be read. After an AKS upgrade across 3.30.4 → 3.30.5+
 * the field the lab set is one this Felix no longer reads, until the next `up`.
 */
export function kubeProxyHealthzPortFieldOf(
    calicoVersion: string | undefined,
): KubeProxyHealthzPortField | "none" | undefined {
    const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(calicoVersion ?? "");
    if (match === null) return undefined;
    const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
    const release = major * 1_000_000 + minor * 1_000 + patch;
    if (release < 3_030_004) return "none";
    return release === 3_030_004 ? "bpfKubeProxyHealtzPort" : "bpfKubeProxyHealthzPort";
}

/** The operator's own Deployment (tigera/operator manifests, namespace and name tigera-operator @v1.38.6). */
export const OPERATOR_DEPLOYMENT = {
    namespace: OPERATOR_NAMESPACE,
    name: "tigera-operator",
} as const;
/** AKS's kube-proxy, which cannot be removed (Azure/AKS#4563: only on BYOCNI clusters). */
export const KUBE_PROXY_DAEMONSET = { namespace: "kube-system", name: "kube-proxy" } as const;
