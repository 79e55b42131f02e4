/**
 * What an AKS cluster with AKS-managed Calico (Azure CNI + Calico network policy) holds before the
 * lab touches it, for one AKS line's CRD set in ../shared/crds: the namespaces, the CRDs, the
 * operator's Installation/default with its status, FelixConfiguration/default as the operator
 * leaves it, TigeraStatus `calico`, the calico-node DaemonSet, the tigera-operator Deployment and
 * kube-system/coredns. The pods become Running through kwok; nothing here runs Calico, and no
 * operator reconciles it (`operator: "none"`: the harness's own test).
 *
 * With the real operator (`operator: "real"`), only what AKS lays down before the operator runs:
 * the operator's namespace and service account, the line's Installation and FelixConfiguration CRDs,
 * Installation/default as AKS applies it, the tigera-operator Deployment and coredns. The operator
 * (../operator/run-operator.ts) renders the rest: calico-system, calico-node, Typha,
 * kube-controllers, FelixConfiguration/default, the Installation's status and TigeraStatus.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { FELIX_CRD_FILE, INSTALLATION_CRD_FILE, SHARED_CRDS } from "../../support/crd-schema";
import { operatorFor } from "../toolchain/operator-build";
import type { KubeObject } from "./kube-api";

/** Who reconciles the fixture: nobody (the harness's own test), or the real tigera/operator. */
export type TierOperatorKind = "none" | "real";

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

/**
 * TigeraStatus has no file in ../shared/crds. This is the smallest CRD that serves it as the
 * operator's does: group operator.tigera.io, v1, cluster scope, plural tigerastatuses, a status
 * subresource, status.conditions typed as TigeraStatusCondition (tigera/operator
 * pkg/crds/operator/operator.tigera.io_tigerastatuses.yaml; api/v1/tigerastatus_types.go).
 */
export const TIGERA_STATUS_CRD: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "tigerastatuses.operator.tigera.io" },
    spec: {
        group: "operator.tigera.io",
        names: {
            kind: "TigeraStatus",
            listKind: "TigeraStatusList",
            plural: "tigerastatuses",
            singular: "tigerastatus",
        },
        scope: "Cluster",
        versions: [
            {
                name: "v1",
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        properties: {
                            apiVersion: { type: "string" },
                            kind: { type: "string" },
                            metadata: { type: "object" },
                            spec: { type: "object" },
                            status: {
                                type: "object",
                                required: ["conditions"],
                                properties: {
                                    conditions: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            required: ["lastTransitionTime", "status", "type"],
                                            properties: {
                                                lastTransitionTime: {
                                                    type: "string",
                                                    format: "date-time",
                                                },
                                                message: { type: "string" },
                                                observedGeneration: {
                                                    type: "integer",
                                                    format: "int64",
                                                },
                                                reason: { type: "string" },
                                                status: { type: "string" },
                                                type: { type: "string" },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        ],
    },
};

/** The CRDs in place before the operator runs; the real one bootstraps its own TigeraStatus CRD. */
export function fixtureCrds(line: AksCalicoLine, operator: TierOperatorKind): KubeObject[] {
    const crds = [crdFromSet(line, INSTALLATION_CRD_FILE), crdFromSet(line, FELIX_CRD_FILE)];
    return operator === "real" ? crds : [...crds, TIGERA_STATUS_CRD];
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
 * Installation/default as AKS creates it and the operator's defaulting writes it back
 * (../shared/reference/calico-aks-facts.md §2.1-2.2: tigera/operator
 * pkg/controller/installation/core_controller.go fillDefaults; the AKS spec as in
 * test/fixtures/installation-aks-bpf.json, here on the iptables dataplane AKS starts with).
 */
export function installationSpec(): Record<string, unknown> {
    return {
        kubernetesProvider: "AKS",
        variant: "Calico",
        registry: "mcr.microsoft.com/",
        imagePath: "oss/calico",
        cni: { type: "AzureVNET", ipam: { type: "AzureVNET" } },
        calicoNetwork: {
            bgp: "Disabled",
            linuxDataplane: "Iptables",
            windowsDataplane: "Disabled",
        },
        flexVolumePath: "/etc/kubernetes/volumeplugins/",
        nodeUpdateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        controlPlaneReplicas: 2,
    };
}

/**
 * Installation/default as AKS applies it, before the operator writes its defaults back
 * (../shared/reference/calico-aks-facts.md §4.1: projectcalico/node#1370's AKS Installation;
 * test/fixtures/installation-aks-bpf.json): AKS's provider, registry and image path, Azure CNI and
 * IPAM, no BGP, no Calico pools, IPv4 autodetection by reaching 1.1.1.1, critical-addons control
 * plane tolerations, and the flexvolume path.
 */
export function aksInstallationSpec(): Record<string, unknown> {
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
 * The Installation's status as the operator writes it at the end of a successful reconcile
 * (tigera/operator pkg/controller/installation/core_controller.go: Status.MTU, Variant,
 * CalicoVersion, ImageSet, Computed = &instance.Spec, then Status().Update). MTU 0: with Azure
 * CNI no Calico CNI writes /var/lib/calico/mtu, which readMTUFile reads (INFERRED from that code).
 */
export function installationStatus(line: AksCalicoLine): Record<string, unknown> {
    return {
        mtu: 0,
        variant: "Calico",
        calicoVersion: line.calicoVersion,
        imageSet: "",
        computed: installationSpec(),
    };
}

/**
 * FelixConfiguration/default as the operator leaves it on iptables (calico-aks-facts.md §2.5:
 * setDefaultsOnFelixConfiguration healthPort 9099, vxlanVNI 4096, vxlanPort 4789; setNftablesMode
 * Disabled for Iptables; bpfEnabled false with its ownership annotation,
 * pkg/controller/installation/bpf.go setBPFEnabledOnFelixConfiguration).
 */
export function felixConfiguration(): KubeObject {
    return {
        apiVersion: "crd.projectcalico.org/v1",
        kind: "FelixConfiguration",
        metadata: { name: "default", annotations: { "operator.tigera.io/bpfEnabled": "false" } },
        spec: {
            bpfEnabled: false,
            healthPort: 9099,
            nftablesMode: "Disabled",
            vxlanPort: 4789,
            vxlanVNI: 4096,
        },
    };
}

/**
 * TigeraStatus `calico` when all is available (tigera/operator pkg/controller/status/status.go:
 * Available True / Progressing False / Degraded False, reason AllObjectsAvailable, each with the
 * Installation generation it was computed for).
 */
export function tigeraStatus(observedGeneration: number, at: string): KubeObject {
    const condition = (type: string, status: string, message: string) => ({
        type,
        status,
        reason: "AllObjectsAvailable",
        message,
        observedGeneration,
        lastTransitionTime: at,
    });
    return {
        apiVersion: "operator.tigera.io/v1",
        kind: "TigeraStatus",
        metadata: { name: "calico" },
        spec: {},
        status: {
            conditions: [
                condition("Available", "True", "All objects available"),
                condition("Progressing", "False", "All Objects Available"),
                condition("Degraded", "False", "All Objects Available"),
            ],
        },
    };
}

const hostPath = (name: string, path: string, type?: string) => ({
    name,
    hostPath: type ? { path, type } : { path },
});

/**
 * calico-system/calico-node as the operator renders it for AKS + Azure CNI on iptables
 * (tigera/operator pkg/render/node.go: k8s-app label and selector, hostNetwork, the calico-node
 * service account, system-node-critical, tolerate-everything tolerations, the env that AKS +
 * AzureVNET gets (calico-aks-facts.md §2.5), the flexvol-driver init container for
 * flexVolumePath, the host volumes; from operator 1.40 in every mode the bpffs/sys-fs/nodeproc
 * volumes and, after flexvol-driver, the `ebpf-bootstrap` init container with `-best-effort`
 * (nodeDaemonset and bpfBootstrapInitContainer @v1.40.2: "required for the BPF dataplane, but also
 * for the other dataplanes as we need to cleanup the BPF state when switching dataplanes")).
 */
export function calicoNodeDaemonSet(line: AksCalicoLine): KubeObject {
    const image = `mcr.microsoft.com/oss/calico/node:${line.calicoVersion}`;
    const bpfVolumesAlways =
        !line.operatorVersion.startsWith("v1.38.") && !line.operatorVersion.startsWith("v1.36.");
    const volumes = [
        hostPath("lib-modules", "/lib/modules"),
        hostPath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
        hostPath("policysync", "/var/run/nodeagent", "DirectoryOrCreate"),
        hostPath("var-run-calico", "/var/run/calico", "DirectoryOrCreate"),
        hostPath("var-lib-calico", "/var/lib/calico", "DirectoryOrCreate"),
        hostPath(
            "flexvol-driver-host",
            "/etc/kubernetes/volumeplugins/nodeagent~uds",
            "DirectoryOrCreate",
        ),
        ...(bpfVolumesAlways
            ? [
                  hostPath("sys-fs", "/sys/fs", "DirectoryOrCreate"),
                  hostPath("bpffs", "/sys/fs/bpf", "Directory"),
                  hostPath("nodeproc", "/proc"),
              ]
            : []),
    ];
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: {
            name: "calico-node",
            namespace: "calico-system",
            labels: { "k8s-app": "calico-node" },
        },
        spec: {
            selector: { matchLabels: { "k8s-app": "calico-node" } },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
            template: {
                metadata: {
                    labels: { "k8s-app": "calico-node", "app.kubernetes.io/name": "calico-node" },
                },
                spec: {
                    hostNetwork: true,
                    dnsPolicy: "ClusterFirstWithHostNet",
                    serviceAccountName: "calico-node",
                    priorityClassName: "system-node-critical",
                    nodeSelector: { "kubernetes.io/os": "linux" },
                    tolerations: [
                        { effect: "NoSchedule", operator: "Exists" },
                        { effect: "NoExecute", operator: "Exists" },
                        { key: "CriticalAddonsOnly", operator: "Exists" },
                    ],
                    terminationGracePeriodSeconds: 5,
                    initContainers: [
                        {
                            name: "flexvol-driver",
                            image: `mcr.microsoft.com/oss/calico/pod2daemon-flexvol:${line.calicoVersion}`,
                            securityContext: { privileged: true },
                            volumeMounts: [
                                { name: "flexvol-driver-host", mountPath: "/host/driver" },
                            ],
                        },
                        ...(bpfVolumesAlways ? [ebpfBootstrapInitContainer(image)] : []),
                    ],
                    containers: [
                        {
                            name: "calico-node",
                            image,
                            securityContext: { privileged: true },
                            env: [
                                { name: "DATASTORE_TYPE", value: "kubernetes" },
                                { name: "WAIT_FOR_DATASTORE", value: "true" },
                                { name: "CLUSTER_TYPE", value: "k8s,operator" },
                                { name: "CALICO_DISABLE_FILE_LOGGING", value: "false" },
                                { name: "FELIX_DEFAULTENDPOINTTOHOSTACTION", value: "ACCEPT" },
                                { name: "FELIX_HEALTHENABLED", value: "true" },
                                {
                                    name: "NODENAME",
                                    valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
                                },
                                { name: "CALICO_NETWORKING_BACKEND", value: "none" },
                                { name: "CALICO_MANAGE_CNI", value: "false" },
                                { name: "FELIX_INTERFACEPREFIX", value: "azv" },
                                { name: "FELIX_ROUTESOURCE", value: "WorkloadIPs" },
                                { name: "FELIX_WIREGUARDHOSTENCRYPTIONENABLED", value: "true" },
                            ],
                            volumeMounts: [
                                { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                                { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                                { name: "policysync", mountPath: "/var/run/nodeagent" },
                                { name: "var-run-calico", mountPath: "/var/run/calico" },
                                { name: "var-lib-calico", mountPath: "/var/lib/calico" },
                                ...(bpfVolumesAlways
                                    ? [
                                          {
                                              name: "sys-fs",
                                              mountPath: "/sys/fs/",
                                              mountPropagation: "Bidirectional",
                                          },
                                          { name: "bpffs", mountPath: "/sys/fs/bpf" },
                                          {
                                              name: "nodeproc",
                                              mountPath: "/nodeproc",
                                              readOnly: true,
                                          },
                                      ]
                                    : []),
                            ],
                        },
                    ],
                    volumes,
                },
            },
        },
    };
}

/**
 * tigera-operator/tigera-operator as AKS deploys the operator (projectcalico/calico
 * manifests/tigera-operator.yaml, Deployment "tigera-operator": hostNetwork, the tigera-operator
 * service account, envFrom the optional kubernetes-services-endpoint ConfigMap), with AKS's image
 * from MCR: the line's tag, or for the real operator the tree the tier builds for the line
 * (test/cluster/toolchain/operator-build.ts).
 */
export function tigeraOperatorDeployment(
    line: AksCalicoLine,
    operator: TierOperatorKind,
): KubeObject {
    const version =
        operator === "real" ? `v${operatorFor(line.calicoVersion).operator}` : line.operatorVersion;
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

/**
 * Everything but the CRDs and the status writes, in the order a cluster would have them: for the
 * no operator, Calico as the operator leaves it; for the real operator, only what AKS lays down.
 */
export function fixtureObjects(line: AksCalicoLine, operator: TierOperatorKind): KubeObject[] {
    const installation = (spec: Record<string, unknown>): KubeObject => ({
        apiVersion: "operator.tigera.io/v1",
        kind: "Installation",
        metadata: {
            name: "default",
            labels: { "addonmanager.kubernetes.io/mode": "Reconcile" },
        },
        spec,
    });
    if (operator === "real") {
        return [
            namespace("tigera-operator"),
            serviceAccount("tigera-operator", "tigera-operator"),
            serviceAccount("kube-system", "coredns"),
            installation(aksInstallationSpec()),
            tigeraOperatorDeployment(line, operator),
            corednsDeployment(),
        ];
    }
    return [
        namespace("calico-system"),
        namespace("tigera-operator"),
        serviceAccount("calico-system", "calico-node"),
        serviceAccount("tigera-operator", "tigera-operator"),
        serviceAccount("kube-system", "coredns"),
        installation(installationSpec()),
        felixConfiguration(),
        tigeraOperatorDeployment(line, operator),
        calicoNodeDaemonSet(line),
        corednsDeployment(),
    ];
}

/**
 * The init container operator 1.40 renders in every mode to mount bpffs, `-best-effort` unless BPF
 * (tigera/operator pkg/render/node.go bpfBootstrapInitContainer @v1.40.2; securitycontext.NewRootContext(true)).
 */
function ebpfBootstrapInitContainer(image: string): Record<string, unknown> {
    return {
        name: "ebpf-bootstrap",
        image,
        command: ["calico-node", "-init", "-best-effort"],
        securityContext: {
            allowPrivilegeEscalation: true,
            capabilities: { drop: ["ALL"] },
            privileged: true,
            runAsGroup: 0,
            runAsNonRoot: false,
            runAsUser: 0,
            seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [
            { mountPath: "/sys/fs", name: "sys-fs", mountPropagation: "Bidirectional" },
            {
                mountPath: "/var/run/calico",
                name: "var-run-calico",
                mountPropagation: "Bidirectional",
            },
            { mountPath: "/nodeproc", name: "nodeproc", readOnly: true },
        ],
    };
}
