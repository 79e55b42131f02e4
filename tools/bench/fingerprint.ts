/**
 * What a run measured on: cluster, nodes, NICs and tools. Runs whose fingerprints differ are never
 * merged into one comparison. The dataplane's own settings (which the switch changes) are kept
 * apart, and must agree among the runs of one dataplane.
 */
import type { Dataplane } from "../../core/dataplane";
import { field } from "../../core/unstructured";
import {
    environmentFrom,
    type EnvironmentObjects,
    type NodeEnvironment,
} from "../kube/environment";
import { acceleratedNetworking, type Nic } from "./netinfo";

export interface NodeFingerprint extends NodeEnvironment {
    readonly zone: string | undefined;
    /** Device-backed NICs seen from the host network; empty when they could not be read. */
    readonly nics: readonly Nic[];
    readonly acceleratedNetworking: boolean | undefined;
}

export interface Fingerprint {
    readonly kubernetesVersion: string | undefined;
    readonly calicoVersion: string | undefined;
    readonly operatorVersion: string | undefined;
    /** e.g. "iptables (default)": kube-proxy still handles Services the eBPF dataplane does not. */
    readonly kubeProxyMode: string | undefined;
    readonly client: NodeFingerprint;
    readonly server: NodeFingerprint;
    readonly podMtu: number | undefined;
    /** The image digests the kubelet pulled (pod status imageID): the exact tools that ran. */
    readonly imageIds: readonly string[];
    /** How the flows were driven. */
    readonly method: {
        readonly durationSeconds: number;
        readonly connections: number;
        readonly udpMbps: number;
    };
}

export interface DataplaneSettings {
    readonly dataplane: Dataplane;
    /** FelixConfiguration spec.nftablesMode: the operator may change it along with the dataplane. */
    readonly nftablesMode: string | undefined;
    /**
     * FelixConfiguration spec.bpfKubeProxyMinSyncPeriod when set: the floor of eBPF's programming
     * latency (Felix's default is 1s: the FelixConfiguration CRD's description, every AKS Calico line).
     */
    readonly bpfKubeProxyMinSyncPeriod: string | undefined;
}

export interface FingerprintInputs {
    readonly environment: EnvironmentObjects;
    readonly kubernetesVersion: string | undefined;
    readonly clientNode: string;
    readonly serverNode: string;
    readonly nics: { readonly client: readonly Nic[]; readonly server: readonly Nic[] };
    readonly podMtu: number | undefined;
    readonly imageIds: readonly string[];
    readonly method: Fingerprint["method"];
}

export function fingerprintOf(inputs: FingerprintInputs): Fingerprint {
    const environment = environmentFrom(inputs.environment);
    const node = (name: string, nics: readonly Nic[]): NodeFingerprint => {
        const known = environment.nodes.find((n) => n.name === name);
        const raw = inputs.environment.nodes.find((n) => field(n, "metadata", "name") === name);
        const zone = field(raw, "metadata", "labels", "topology.kubernetes.io/zone");
        return {
            name,
            osImage: known?.osImage,
            kernelVersion: known?.kernelVersion,
            kubeletVersion: known?.kubeletVersion,
            containerRuntimeVersion: known?.containerRuntimeVersion,
            instanceType: known?.instanceType,
            nodeImageVersion: known?.nodeImageVersion,
            zone: typeof zone === "string" ? zone : undefined,
            nics: [...nics].sort((a, b) => a.name.localeCompare(b.name)),
            acceleratedNetworking: acceleratedNetworking(nics),
        };
    };
    const proxy = environment.kubeProxyMode;
    return {
        kubernetesVersion: inputs.kubernetesVersion,
        calicoVersion: environment.calicoVersion,
        operatorVersion: environment.operatorVersion,
        kubeProxyMode: proxy && `${proxy.mode}${proxy.source === "default" ? " (default)" : ""}`,
        client: node(inputs.clientNode, inputs.nics.client),
        server: node(inputs.serverNode, inputs.nics.server),
        podMtu: inputs.podMtu,
        imageIds: [...new Set(inputs.imageIds)].sort(),
        method: inputs.method,
    };
}

export function dataplaneSettingsOf(
    environment: EnvironmentObjects,
    dataplane: Dataplane,
): DataplaneSettings {
    const minSync = field(environment.felixConfiguration, "spec", "bpfKubeProxyMinSyncPeriod");
    return {
        dataplane,
        nftablesMode: environmentFrom(environment).nftablesMode,
        bpfKubeProxyMinSyncPeriod: typeof minSync === "string" ? minSync : undefined,
    };
}

/** JSON with object keys sorted, and undefined fields dropped: equal for equal content. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}
