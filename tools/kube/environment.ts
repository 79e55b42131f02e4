/**
 * What a cluster runs, as verify reports it and bench fingerprints it: Calico and operator versions,
 * Felix's nftables mode and healthz port, kube-proxy's mode, each node's OS image and kernel. Pure:
 * it reads API objects that client.ts fetches.
 */
import {
    KUBE_PROXY_HEALTHZ_PORT_FIELDS,
    type KubeProxyHealthzPortField,
} from "../../core/calico-objects";
import { field, numberAt } from "../../core/unstructured";

export interface NodeEnvironment {
    readonly name: string;
    readonly osImage: string | undefined;
    readonly kernelVersion: string | undefined;
    readonly kubeletVersion: string | undefined;
    readonly containerRuntimeVersion: string | undefined;
    /** The well-known label node.kubernetes.io/instance-type: the VM size on AKS. */
    readonly instanceType: string | undefined;
    /** AKS's node image label kubernetes.azure.com/node-image-version. */
    readonly nodeImageVersion: string | undefined;
}

export interface KubeProxyMode {
    readonly mode: string;
    /** `flag`: the DaemonSet passes --proxy-mode; `default`: no flag, so kube-proxy's default (iptables on Linux). */
    readonly source: "flag" | "default";
}

export interface ClusterEnvironment {
    /** Installation status.calicoVersion: set by the operator once Calico is available. */
    readonly calicoVersion: string | undefined;
    /** The tigera-operator container's image, and its tag. */
    readonly operatorImage: string | undefined;
    readonly operatorVersion: string | undefined;
    /** FelixConfiguration spec.nftablesMode, which operator 1.40+ sets Enabled under BPF. */
    readonly nftablesMode: string | undefined;
    /** The healthz port field Felix's spec carries (either spelling), and its value. */
    readonly kubeProxyHealthzPort:
        { readonly field: KubeProxyHealthzPortField; readonly port: number } | undefined;
    readonly kubeProxyMode: KubeProxyMode | undefined;
    readonly nodes: readonly NodeEnvironment[];
}

/** The objects an environment is read from; undefined where the object does not exist. */
export interface EnvironmentObjects {
    readonly installation: unknown;
    readonly felixConfiguration: unknown;
    readonly operatorDeployment: unknown;
    readonly kubeProxyDaemonSet: unknown;
    readonly nodes: readonly unknown[];
}

const text = (value: unknown): string | undefined =>
    typeof value === "string" && value !== "" ? value : undefined;

function containers(workload: unknown): unknown[] {
    const list = field(workload, "spec", "template", "spec", "containers");
    return Array.isArray(list) ? list : [];
}

/** The image of the operator's container (named tigera-operator), else of its only container. */
function operatorImage(deployment: unknown): string | undefined {
    const list = containers(deployment);
    const named =
        list.find((c) => field(c, "name") === "tigera-operator") ??
        (list.length === 1 ? list[0] : undefined);
    return text(field(named, "image"));
}

/** The tag of an image reference (`registry:5000/tigera/operator:v1.38.6@sha256:...` → v1.38.6). */
export function imageTag(image: string): string | undefined {
    const withoutDigest = image.split("@")[0] ?? image;
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    return colon > lastSlash ? withoutDigest.slice(colon + 1) : undefined;
}

/**
 * kube-proxy's mode from its DaemonSet's command and args: `--proxy-mode=ipvs` or `--proxy-mode ipvs`
 * (AKS shows it as a flag: Azure/azure-container-networking#1612). Without the flag kube-proxy runs its
 * default, iptables on Linux, unless a --config file says otherwise, which is reported as unknown.
 */
export function kubeProxyModeOf(daemonSet: unknown): KubeProxyMode | undefined {
    if (daemonSet === undefined) return undefined;
    const words = containers(daemonSet).flatMap((c) =>
        ["command", "args"].flatMap((key) => {
            const value = field(c, key);
            return Array.isArray(value)
                ? value.filter((w): w is string => typeof w === "string")
                : [];
        }),
    );
    const tokens = words.flatMap((w) => w.split(/\s+/)).filter((w) => w !== "");
    for (const [i, token] of tokens.entries()) {
        const inline = /^--proxy-mode=(.+)$/.exec(token);
        if (inline?.[1]) return { mode: inline[1], source: "flag" };
        if (token === "--proxy-mode" && tokens[i + 1])
            return { mode: tokens[i + 1] ?? "", source: "flag" };
    }
    if (tokens.some((t) => t.startsWith("--config"))) return undefined;
    return { mode: "iptables", source: "default" };
}

function healthzPort(felixConfiguration: unknown): ClusterEnvironment["kubeProxyHealthzPort"] {
    for (const name of KUBE_PROXY_HEALTHZ_PORT_FIELDS) {
        const port = numberAt(felixConfiguration, "spec", name);
        if (port !== undefined) return { field: name, port };
    }
    return undefined;
}

function nodeEnvironment(node: unknown): NodeEnvironment {
    const info = (key: string) => text(field(node, "status", "nodeInfo", key));
    const label = (key: string) => text(field(node, "metadata", "labels", key));
    return {
        name: text(field(node, "metadata", "name")) ?? "unknown",
        osImage: info("osImage"),
        kernelVersion: info("kernelVersion"),
        kubeletVersion: info("kubeletVersion"),
        containerRuntimeVersion: info("containerRuntimeVersion"),
        instanceType: label("node.kubernetes.io/instance-type"),
        nodeImageVersion: label("kubernetes.azure.com/node-image-version"),
    };
}

export function environmentFrom(objects: EnvironmentObjects): ClusterEnvironment {
    const image = operatorImage(objects.operatorDeployment);
    return {
        calicoVersion: text(field(objects.installation, "status", "calicoVersion")),
        operatorImage: image,
        operatorVersion: image === undefined ? undefined : imageTag(image),
        nftablesMode: text(field(objects.felixConfiguration, "spec", "nftablesMode")),
        kubeProxyHealthzPort: healthzPort(objects.felixConfiguration),
        kubeProxyMode: kubeProxyModeOf(objects.kubeProxyDaemonSet),
        nodes: objects.nodes.map(nodeEnvironment),
    };
}
