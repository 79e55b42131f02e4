/** Recorded API objects and logs (shapes as the API server returns them), for the verify tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { CalicoObjects } from "../../tools/kube/cluster-objects";
import type { EnvironmentObjects } from "../../tools/kube/environment";

export function fixture(name: string): unknown {
    return JSON.parse(readFileSync(join(__dirname, "..", "fixtures", name), "utf8")) as unknown;
}

const parsedYaml = new Map<string, unknown>();

/**
 * A YAML file parsed once per process (a CRD set's Installation schema is over a megabyte, and many
 * tests read the same files). Frozen, so that no reader can change what the next one reads.
 */
export function yamlFileOnce(path: string): unknown {
    if (!parsedYaml.has(path)) parsedYaml.set(path, deepFreeze(parse(readFileSync(path, "utf8"))));
    return parsedYaml.get(path);
}

/** `value` and everything it holds, frozen. */
export function deepFreeze(value: unknown): unknown {
    if (typeof value === "object" && value !== null) {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
    }
    return value;
}

export function fixtureText(name: string): string {
    return readFileSync(join(__dirname, "..", "fixtures", name), "utf8");
}

/** An AKS cluster settled on eBPF: the Installation asks BPF and the operator set bpfEnabled. */
export function bpfClusterObjects(): CalicoObjects {
    return {
        installation: fixture("installation-aks-bpf.json"),
        felixConfiguration: fixture("felixconfiguration-bpf.json"),
        calicoNodeDaemonSet: fixture("daemonset-calico-node.json"),
        tigeraStatus: fixture("tigerastatus-calico.json"),
    };
}

/** The same cluster back on iptables (what the operator leaves after a revert). */
export function iptablesClusterObjects(): CalicoObjects {
    const objects = structuredClone(bpfClusterObjects()) as {
        installation: { spec: { calicoNetwork: { linuxDataplane: string } } };
        felixConfiguration: {
            spec: Record<string, unknown>;
            metadata: { annotations: Record<string, string> };
        };
    } & CalicoObjects;
    objects.installation.spec.calicoNetwork.linuxDataplane = "Iptables";
    objects.felixConfiguration.spec["bpfEnabled"] = false;
    objects.felixConfiguration.metadata.annotations["operator.tigera.io/bpfEnabled"] = "false";
    return objects;
}

export const NODE_IPS = ["10.224.0.4", "10.224.0.33"];

/** What a recorded cluster's environment is read from: its Calico objects, the operator, kube-proxy, the nodes. */
export function environmentObjectsOf(calico: CalicoObjects): EnvironmentObjects {
    return {
        installation: calico.installation,
        felixConfiguration: calico.felixConfiguration,
        operatorDeployment: fixture("deployment-tigera-operator.json"),
        kubeProxyDaemonSet: fixture("daemonset-kube-proxy.json"),
        nodes: fixture("nodes.json") as unknown[],
    };
}
