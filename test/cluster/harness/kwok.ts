/**
 * kwok as the nodes' kubelets: one `kwok` process per node (`--manage-single-node`), each serving
 * the kubelet API on a loopback address of its own (127.0.0.2, 127.0.0.3, ...). A node's InternalIP
 * is the address of `eth0` in its own network namespace (../nodes/namespaces.ts), as an AKS node's is
 * its NIC's, so host-network pods (Typha) are reached there from the other nodes; the API server,
 * on this machine's loopback, reaches the kubelet at the node's InternalDNS address instead
 * (`--kubelet-preferred-address-types=InternalDNS`): the one address AKS's nodes do not report.
 *
 * Pod logs: kwok serves /containerLogs from Logs objects (kwok.x-k8s.io/v1alpha1, enabled with
 * --enable-crds=Logs) whose logsFile is read in the CRI log format (sigs.k8s.io/kwok v0.8.0,
 * pkg/kwok/server/debugging_logs.go: getPodLogs, readLogs -> k8s.io/cri-client/pkg/logs.ReadLogs).
 * The harness creates one Logs object per pod, owned by the pod, pointing at files under the
 * scratch folder; real Felix's output is appended to them (appendCriLog).
 * Stages: kwok's own "fast" stages (kustomize/stage/node/fast, kustomize/stage/pod/fast), read
 * from the kwok module in the Go module cache: nodes become Ready, pods Running, deleted pods go.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./kube-api";

export interface FakeNode {
    readonly name: string;
    /** The node's InternalIP: its eth0 in the node subnet, inside the node's network namespace. */
    readonly ip: string;
    /** Where kwok serves the node's kubelet API on this machine's loopback (the node's InternalDNS). */
    readonly kubeletAddress: string;
    /**
     * The pod IP range kwok allocates from on this node: data only, never connected to (no pod runs).
     * Not loopback: EndpointSlice validation refuses loopback endpoints (k8s.io/kubernetes
     * pkg/apis/discovery/validation ValidateEndpointSlice @v1.36.3), and without slices no Service
     * is ready. AKS's Azure CNI gives pods addresses from the node subnet, 10.224.0.0/16 by default.
     */
    readonly podCidr: string;
}

export const FAKE_NODES: readonly FakeNode[] = [
    {
        name: "aks-nodepool1-12345678-vmss000000",
        ip: "10.224.0.4",
        kubeletAddress: "127.0.0.2",
        podCidr: "10.224.1.0/24",
    },
    {
        name: "aks-nodepool1-12345678-vmss000001",
        ip: "10.224.0.5",
        kubeletAddress: "127.0.0.3",
        podCidr: "10.224.2.0/24",
    },
];

const FAST_STAGES = [
    "kustomize/stage/node/fast/node-initialize.yaml",
    // Renews status and the node's Lease as the kubelet does; without it the node-lifecycle
    // controller finds the Lease stale and marks every pod NotReady (kwokctl runs both for the same reason).
    "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
];

/**
 * The kubelet's answer to a running pod marked not ready by the node-lifecycle controller while its
 * node's Lease was stale (MarkPodsNotReady: kubernetes pkg/controller/util/node/controller_utils.go
 * @v1.36.3): once the node is back, the kubelet's status manager finds the API's status differs
 * from its own and writes its own again (pkg/kubelet/status/status_manager.go syncPod). kwok's
 * pod-ready stage only readies pending pods, so a 30 s API server outage left every calico-node pod
 * not ready for good (the fault suite, fault 3a). The conditions only: the container statuses stay,
 * so no container looks restarted.
 */
const POD_READY_AGAIN = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-ready-again
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'NotIn'
      values:
      - 'True'
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: ContainersReady
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: PodScheduled`;

/** kwok's --config: its fast node and pod stages, as shipped in the module, and the kubelet's recovery above. */
export function writeKwokConfig(kwokModuleDir: string, file: string): void {
    const docs = FAST_STAGES.map((path) => readFileSync(join(kwokModuleDir, path), "utf8").trim());
    writeFileSync(file, `${[...docs, POD_READY_AGAIN].join("\n---\n")}\n`);
}

/** The Logs CRD from the kwok module (kustomize/crd/bases). */
export function logsCrd(kwokModuleDir: string): KubeObject {
    const text = readFileSync(
        join(kwokModuleDir, "kustomize/crd/bases/kwok.x-k8s.io_logs.yaml"),
        "utf8",
    );
    const [doc] = parseAllDocuments(text);
    return doc?.toJSON() as KubeObject;
}

/**
 * A Linux node as AKS labels it: the reserved labels of the AKS docs (MicrosoftDocs/azure-aks-docs
 * articles/aks/use-labels.md, "AKS reserved system labels"), the legacy `agentpool` label and the
 * well-known kubernetes.io ones; the VMSS instance naming of an AKS node pool.
 */
export function nodeObject(node: FakeNode, kubernetesVersion: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: node.name,
            labels: {
                agentpool: "nodepool1",
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.azure.com/agentpool": "nodepool1",
                "kubernetes.azure.com/cluster": "MC_lab-rg_lab-aks_eastus",
                "kubernetes.azure.com/mode": "system",
                "kubernetes.azure.com/node-image-version":
                    "AKSUbuntu-2204gen2containerd-202611.10.0",
                "kubernetes.azure.com/nodepool-type": "VirtualMachineScaleSets",
                "kubernetes.azure.com/os-sku": "Ubuntu",
                "kubernetes.azure.com/role": "agent",
                "kubernetes.azure.com/storageprofile": "managed",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": node.name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/role": "agent",
                "node.kubernetes.io/instance-type": "Standard_D2s_v3",
                "topology.kubernetes.io/region": "eastus",
                "topology.kubernetes.io/zone": "0",
            },
        },
        spec: {},
        status: {
            addresses: [
                { type: "InternalIP", address: node.ip },
                { type: "InternalDNS", address: node.kubeletAddress },
                { type: "Hostname", address: node.name },
            ],
            nodeInfo: {
                architecture: "amd64",
                bootID: "",
                containerRuntimeVersion: "containerd://1.7.29-1",
                // Felix really runs on this machine's kernel, so the node reports it (the lab's kernel guard reads it).
                kernelVersion: release(),
                kubeProxyVersion: "",
                kubeletVersion: kubernetesVersion,
                machineID: "",
                operatingSystem: "linux",
                osImage: "Ubuntu 22.04.5 LTS",
                systemUUID: "",
            },
        },
    };
}

export function kwokArgs(
    node: FakeNode,
    port: number,
    files: { kubeconfig: string; config: string; cert: string; key: string },
): string[] {
    return [
        `--kubeconfig=${files.kubeconfig}`,
        `--config=${files.config}`,
        `--manage-single-node=${node.name}`,
        `--node-name=${node.name}`,
        `--node-ip=${node.ip}`,
        `--node-port=${port}`,
        `--server-address=${node.kubeletAddress}:${port}`,
        `--tls-cert-file=${files.cert}`,
        `--tls-private-key-file=${files.key}`,
        `--cidr=${node.podCidr}`,
        "--enable-crds=Logs",
        // The kubelet's default lease (kwok pkg/kwok/cmd/root.go: 0, no Lease, unless set; kwokctl sets 40).
        "--node-lease-duration-seconds=40",
    ];
}

/** Where a container's log lives: like the kubelet's /var/log/pods/<ns>_<pod>/<container>/. */
export function podLogPath(
    root: string,
    namespace: string,
    pod: string,
    container: string,
    previous = false,
): string {
    return join(root, `${namespace}_${pod}`, `${container}${previous ? ".previous" : ""}.log`);
}

interface PodLike {
    metadata: { name: string; namespace: string; uid: string };
    spec: { containers: { name: string }[]; initContainers?: { name: string }[] };
}

/** The Logs object for a pod: every container's file, owned by the pod so it goes with it. */
export function logsObject(root: string, pod: PodLike): KubeObject {
    const { name, namespace, uid } = pod.metadata;
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map(
        (c) => c.name,
    );
    for (const container of containers) {
        for (const previous of [false, true]) {
            const file = podLogPath(root, namespace, name, container, previous);
            mkdirSync(dirname(file), { recursive: true });
            if (!existsSync(file)) writeFileSync(file, "");
        }
    }
    return {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "Logs",
        metadata: {
            name,
            namespace,
            ownerReferences: [{ apiVersion: "v1", kind: "Pod", name, uid }],
        },
        spec: {
            logs: containers.map((container) => ({
                containers: [container],
                logsFile: podLogPath(root, namespace, name, container),
                previousLogsFile: podLogPath(root, namespace, name, container, true),
                follow: true,
            })),
        },
    };
}

/** Appends lines in the CRI log format the kubelet's log reader parses: `<RFC3339Nano> <stream> F <text>`. */
/** RFC 3339 with nine fraction digits, as container runtimes stamp CRI log lines. */
const criTime = (at: number): string =>
    new Date(at).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");

/** A line of a CRI container log file (a full line), as kwok and the kubelet read them. */
export const criLogLine = (
    at: number,
    content: string,
    stream: "stdout" | "stderr" = "stdout",
): string => `${criTime(at)} ${stream} F ${content}\n`;

/** Appends lines to a container's CRI log file, stamped now, as the container runtime writes them. */
export function appendCriLog(
    file: string,
    lines: readonly string[],
    stream: "stdout" | "stderr" = "stdout",
): void {
    const now = Date.now();
    // The runtime makes the pod's log folder before the container starts; the harness's Logs
    // objects come from a pod list every 300 ms, and Felix's first lines came before it (lost,
    // so the flip's wait found no run).
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, lines.map((line) => criLogLine(now, line, stream)).join(""));
}

/**
 * What a client gets for a CRI log file through the API server (kwok, like the kubelet, reads it
 * with k8s.io/cri-client/pkg/logs ReadLogs): lines stamped before `since` skipped, and with
 * `timestamps` each line prefixed with its stamp in RFC3339NanoFixed and a space.
 */
export function servedLog(file: string, options: { timestamps: boolean; since?: number }): string {
    return file
        .split("\n")
        .flatMap((line) => {
            const match = /^(\S+) (stdout|stderr) [PF] (.*)$/.exec(line);
            if (match === null) return [];
            const [, stamp = "", , content = ""] = match;
            const at = Date.parse(stamp);
            if (options.since !== undefined && at < options.since) return [];
            return [options.timestamps ? `${criTime(at)} ${content}\n` : `${content}\n`];
        })
        .join("");
}
