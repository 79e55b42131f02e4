/**
 * What the live FelixConfiguration CustomResourceDefinition offers: the lab reads it with a Pulumi
 * read after Calico is up and sends only fields it declares. Pure: a function of the CRD's spec.
 */
import { KUBE_PROXY_HEALTHZ_PORT_FIELDS, type KubeProxyHealthzPortField } from "./calico-objects";
import { asRecord, field } from "./unstructured";

/** The CRD's name (projectcalico/calico libcalico-go/config/crd/crd.projectcalico.org_felixconfigurations.yaml @v3.30.3). */
export const FELIX_CRD_NAME = "felixconfigurations.crd.projectcalico.org";

/** The fields of FelixConfiguration `spec` in the stored version of a CRD spec (empty when unknown). */
export function felixSpecFields(crdSpec: unknown): ReadonlySet<string> {
    const versions: unknown = asRecord(crdSpec)?.["versions"];
    if (!Array.isArray(versions)) return new Set();
    const version: unknown =
        versions.find((v: unknown) => asRecord(v)?.["storage"] === true) ??
        versions.find((v: unknown) => asRecord(v)?.["name"] === "v1");
    const properties = field(
        version,
        "schema",
        "openAPIV3Schema",
        "properties",
        "spec",
        "properties",
    );
    return new Set(Object.keys(asRecord(properties) ?? {}));
}

/**
 * The kube-proxy healthz port field the cluster's Calico has, under the spelling it has: none in
 * 3.30.3 (whose Felix starts no such server), `bpfKubeProxyHealtzPort` in 3.30.4,
 * `bpfKubeProxyHealthzPort` from 3.30.5 (projectcalico/calico commit 32c93930, #11209).
 */
export function kubeProxyHealthzPortField(crdSpec: unknown): KubeProxyHealthzPortField | undefined {
    const fields = felixSpecFields(crdSpec);
    return KUBE_PROXY_HEALTHZ_PORT_FIELDS.find((field) => fields.has(field));
}

/**
 * The Calico line a new AKS cluster gets by default: AKS creates clusters at the N-1 minor version,
 * 1.36 in December 2026 (MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md
 * @fb060ab), which ships tigera-operator 1.40.2 (Azure/AKS CHANGELOG.md @8d1c890), whose
 * config/calico_versions.yml pins Calico v3.31.2 (tigera/operator @v1.40.2).
 */
export const AKS_DEFAULT_CALICO_VERSION = "3.31.2";

const versionParts = (version: string): readonly number[] | undefined => {
    const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
    return match ? match.slice(1).map(Number) : undefined;
};

/**
 * The Calico minor lines AKS ships: 3.29 (AKS 1.32), 3.30 (1.33, 1.34), 3.31 (1.35, 1.36)
 * (MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md @fb060ab, Azure/AKS
 * CHANGELOG.md @8d1c890, tigera/operator config/calico_versions.yml at v1.36.13, v1.38.6, v1.40.2).
 * What 1.37 ships is not published yet.
 */
export const AKS_CALICO_LINES = ["3.29", "3.30", "3.31"] as const;

/** Whether a Calico release belongs to a line AKS ships. */
export const isAksCalicoLine = (version: string): boolean => {
    const parts = versionParts(version);
    return (
        parts !== undefined &&
        (AKS_CALICO_LINES as readonly string[]).includes(parts.slice(0, 2).join("."))
    );
};

/** Whether `version` is a Calico release version, `3.31.2` (a leading v allowed). */
export const isCalicoVersion = (version: string): boolean => versionParts(version) !== undefined;
