/**
 * What AKS lays down for AKS-managed Calico (Azure CNI + Calico network policy) before the operator
 * runs, for one AKS line's CRD set in ../shared/crds: the operator's namespace and service account,
 * the line's Installation and FelixConfiguration CRDs, Installation/default as AKS applies it, the
 * tigera-operator Deployment and kube-system/coredns. The real operator (../operator/run-operator.ts)
 * renders the rest: calico-system, calico-node, Typha, kube-controllers, FelixConfiguration/default,
 * the Installation's status and TigeraStatus. The pods become Running through kwok.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { FELIX_CRD_FILE, INSTALLATION_CRD_FILE, SHARED_CRDS } from "../../support/crd-schema";
import { operatorFor } from "../toolchain/operator-build";
import type { KubeObject } from "./kube-api";

export interface AksCalicoLine {
    /** The CRD set's folder in ../shared/crds, e.g. `aks-managed-calico-v3.31.2`. */
    readonly crdSet: string;
    /** `v3.31.2` */
    readonly calicoVersion: string;
    /** The tigera/operator tag that ships it, from PROVENANCE.md (`v1.40.2`). */
    readonly operatorVersion: string;
}

/** The line of a CRD set: Calico from the folder's name, the operator tag from PROVENANCE.md. */
export function aksCalicoLine(crdSet: string): AksCalicoLine {
    const calicoVersion = /^aks-managed-calico-(v\d+\.\d+\.\d+)$/.exec(crdSet)?.[1];
    if (!calicoVersion) throw new Error(`not an AKS-managed Calico CRD set: ${crdSet}`);
    const provenance = readFileSync(join(SHARED_CRDS, "PROVENANCE.md"), "utf8");
    const row = provenance
        .split("\n")
        .find((line) => line.startsWith(`| \`${crdSet}/${INSTALLATION_CRD_FILE}\``));
    const operatorVersion = row?.split("|")[4]?.trim();
    if (!operatorVersion) throw new Error(`PROVENANCE.md names no operator tag for ${crdSet}`);
    return { crdSet, calicoVersion, operatorVersion };
}

function crdFromSet(line: AksCalicoLine, file: string): KubeObject {
    return parse(readFileSync(join(SHARED_CRDS, line.crdSet, file), "utf8")) as KubeObject;
}

export function fixtureCrds(line: AksCalicoLine): KubeObject[] {
    return [crdFromSet(line, INSTALLATION_CRD_FILE), crdFromSet(line, FELIX_CRD_FILE)];
}

/**
 * The CRDs of a Calico source tree that the CRD set lacks: everything Felix reads
 * (libcalico-go/config/crd, as calico's manifests install them).
 */
export function treeCrds(calicoTree: string, installed: readonly KubeObject[]): KubeObject[] {
    const dir = join(calicoTree, "libcalico-go/config/crd");
    const have = new Set(installed.map((crd) => crd.metadata.name));
    return readdirSync(dir)
        .filter((file) => file.endsWith(".yaml"))
        .map((file) => parse(readFileSync(join(dir, file), "utf8")) as KubeObject)
        .filter((crd) => !have.has(crd.metadata.name));
}

const namespace = (name: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name },
});
const serviceAccount = (ns: string, name: string): KubeObject => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace: ns },
});

/**
 * Installation/default as AKS applies it, before the operator writes its defaults back
 * (../shared/reference/calico-aks-facts.md §4.1: projectcalico/node#1370's AKS Installation;
 * test/fixtures/installation-aks-bpf.json): AKS's provider, registry and image path, Azure CNI and
 * IPAM, no BGP, no Calico pools, IPv4 autodetection by reaching 1.1.1.1, critical-addons control
 * plane tolerations, and the flexvolume path.
 */
export function installationSpec(): Record<string, unknown> {
    return {
        kubernetesProvider: "AKS",
        registry: "mcr.microsoft.com/",
        imagePath: "oss/calico",
        cni: { type: "AzureVNET", ipam: { type: "AzureVNET" } },
        calicoNetwork: {
            bgp: "Disabled",
            ipPools: [],
            nodeAddressAutodetectionV4: { canReach: "1.1.1.1" },
        },
        controlPlaneTolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
        flexVolumePath: "/etc/kubernetes/volumeplugins/",
    };
}

/**
 * tigera-operator/tigera-operator as AKS deploys the operator (projectcalico/calico
 * manifests/tigera-operator.yaml, Deployment "tigera-operator": hostNetwork, the tigera-operator
 * service account, envFrom the optional kubernetes-services-endpoint ConfigMap), with AKS's image
 * from MCR, tagged with the operator the tier runs for the line (test/cluster/toolchain/operator-build.ts).
 */
export function tigeraOperatorDeployment(line: AksCalicoLine): KubeObject {
    const version = `v${operatorFor(line.calicoVersion).operator}`;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: "tigera-operator",
            namespace: "tigera-operator",
            labels: { "k8s-app": "tigera-operator" },
        },
        spec: {
            replicas: 1,
            selector: { matchLabels: { name: "tigera-operator" } },
            template: {
                metadata: { labels: { name: "tigera-operator", "k8s-app": "tigera-operator" } },
                spec: {
                    nodeSelector: { "kubernetes.io/os": "linux" },
                    tolerations: [
                        { effect: "NoExecute", operator: "Exists" },
                        { effect: "NoSchedule", operator: "Exists" },
                    ],
                    serviceAccountName: "tigera-operator",
                    hostNetwork: true,
                    dnsPolicy: "ClusterFirstWithHostNet",
                    containers: [
                        {
                            name: "tigera-operator",
                            image: `mcr.microsoft.com/oss/tigera/operator:${version}`,
                            command: ["operator"],
                            env: [
                                { name: "WATCH_NAMESPACE", value: "" },
                                {
                                    name: "POD_NAME",
                                    valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
                                },
                                { name: "OPERATOR_NAME", value: "tigera-operator" },
                                {
                                    name: "TIGERA_OPERATOR_INIT_IMAGE_VERSION",
                                    value: version,
                                },
                            ],
                            envFrom: [
                                {
                                    configMapRef: {
                                        name: "kubernetes-services-endpoint",
                                        optional: true,
                                    },
                                },
                            ],
                        },
                    ],
                },
            },
        },
    };
}

/**
 * kube-system/coredns: the shape of Kubernetes' CoreDNS add-on (k8s.io/kubernetes v1.36.3
 * cluster/addons/dns/coredns/coredns.yaml.base: k8s-app=kube-dns, the coredns service account,
 * system-cluster-critical) with AKS's two replicas and MCR image.
 */
export function corednsDeployment(): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: "coredns",
            namespace: "kube-system",
            labels: {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "addonmanager.kubernetes.io/mode": "Reconcile",
            },
        },
        spec: {
            replicas: 2,
            selector: { matchLabels: { "k8s-app": "kube-dns" } },
            template: {
                metadata: { labels: { "k8s-app": "kube-dns" } },
                spec: {
                    priorityClassName: "system-cluster-critical",
                    serviceAccountName: "coredns",
                    nodeSelector: { "kubernetes.io/os": "linux" },
                    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
                    containers: [
                        {
                            name: "coredns",
                            image: "mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.12.1-2",
                            args: ["-conf", "/etc/coredns/Corefile"],
                            ports: [
                                { containerPort: 53, name: "dns", protocol: "UDP" },
                                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                            ],
                        },
                    ],
                },
            },
        },
    };
}

/** Everything but the CRDs, in the order AKS lays them down. */
export function fixtureObjects(line: AksCalicoLine): KubeObject[] {
    return [
        namespace("tigera-operator"),
        serviceAccount("tigera-operator", "tigera-operator"),
        serviceAccount("kube-system", "coredns"),
        {
            apiVersion: "operator.tigera.io/v1",
            kind: "Installation",
            metadata: {
                name: "default",
                labels: { "addonmanager.kubernetes.io/mode": "Reconcile" },
            },
            spec: installationSpec(),
        },
        tigeraOperatorDeployment(line),
        corednsDeployment(),
    ];
}
