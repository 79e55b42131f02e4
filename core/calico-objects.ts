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
