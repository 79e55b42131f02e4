/**
 * The benchmark's Kubernetes objects, in a namespace of its own that one delete removes. Images
 * are those of the k8s-bench-suite that Tigera's AKS benchmark used (InfraBuilder/k8s-bench-suite
 * README: infrabuilder/bench-iperf3, alpine + iperf3), plus the official node:22-alpine for the
 * connection-time probe; all on Docker Hub.
 */
import { field } from "../cli/json";
import type { ThroughputFlowName } from "./results";

export const IPERF_IMAGE = "infrabuilder/bench-iperf3:latest";
export const NODE_IMAGE = "node:22-alpine";
export const IPERF_PORT = 5201;
export const ACCEPT_PORT = 8080;
export const RUN_LABEL = "aks-calico-lab/bench-run";
const PART_OF = { "app.kubernetes.io/part-of": "aks-calico-lab" };

export type KubeObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels: Record<string, string> };
} & Record<string, unknown>;

export const namespaceName = (runId: string) => `lab-bench-${runId}`;

const labels = (runId: string, role: string) => ({ ...PART_OF, [RUN_LABEL]: runId, role });

export function namespace(runId: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespaceName(runId), labels: { ...PART_OF, [RUN_LABEL]: runId } },
    };
}

function pod(runId: string, name: string, node: string, spec: Record<string, unknown>): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: namespaceName(runId), labels: labels(runId, name) },
        spec: {
            nodeSelector: { "kubernetes.io/hostname": node, "kubernetes.io/os": "linux" },
            terminationGracePeriodSeconds: 1,
            ...spec,
        },
    };
}

const requests = { resources: { requests: { cpu: "100m", memory: "64Mi" } } };

/** iperf3 server, plus a port that accepts and closes TCP connections for the connection-time probe. */
export function serverPod(runId: string, node: string): KubeObject {
    return pod(runId, "server", node, {
        containers: [
            {
                name: "iperf3",
                image: IPERF_IMAGE,
                args: ["iperf3", "-s"],
                ports: [
                    { name: "iperf-tcp", containerPort: IPERF_PORT, protocol: "TCP" },
                    { name: "iperf-udp", containerPort: IPERF_PORT, protocol: "UDP" },
                ],
                ...requests,
            },
            {
                name: "accept",
                image: NODE_IMAGE,
                command: [
                    "node",
                    "-e",
                    `require("net").createServer((s) => s.destroy()).listen(${ACCEPT_PORT})`,
                ],
                ports: [{ name: "accept", containerPort: ACCEPT_PORT, protocol: "TCP" }],
                ...requests,
            },
        ],
    });
}

export function serverService(runId: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: "server",
            namespace: namespaceName(runId),
            labels: labels(runId, "server"),
        },
        spec: {
            selector: { [RUN_LABEL]: runId, role: "server" },
            ports: [
                { name: "iperf-tcp", port: IPERF_PORT, targetPort: IPERF_PORT, protocol: "TCP" },
                { name: "iperf-udp", port: IPERF_PORT, targetPort: IPERF_PORT, protocol: "UDP" },
                { name: "accept", port: ACCEPT_PORT, targetPort: ACCEPT_PORT, protocol: "TCP" },
            ],
        },
    };
}

/**
 * Prints the node's CPU counters once a second. /proc/stat is host-wide inside a container, so no
 * privilege or host PID namespace is needed (k8s-bench-suite's monitor reads node CPU the same way).
 */
export function samplerPod(runId: string, role: "client" | "server", node: string): KubeObject {
    const script =
        'echo "cpus $(grep -c "^cpu[0-9]" /proc/stat)"; while true; do echo "$(date +%s) $(head -n 1 /proc/stat)"; sleep 1; done';
    return pod(runId, `sampler-${role}`, node, {
        containers: [
            {
                name: "sampler",
                image: IPERF_IMAGE,
                command: ["/bin/sh", "-c", script],
                ...requests,
            },
        ],
    });
}

/** One iperf3 measurement, as k8s-bench-suite runs it: -O 1 omits the first second; UDP unthrottled. */
export function iperfClientPod(
    runId: string,
    flow: ThroughputFlowName,
    node: string,
    target: string,
    durationSeconds: number,
): KubeObject {
    const udp = flow.endsWith("udp") ? ["-u", "-b", "0"] : [];
    return pod(runId, `client-${flow}`, node, {
        restartPolicy: "Never",
        containers: [
            {
                name: "iperf3",
                image: IPERF_IMAGE,
                args: [
                    "iperf3",
                    "-c",
                    target,
                    "-p",
                    String(IPERF_PORT),
                    ...udp,
                    "-O",
                    "1",
                    "-t",
                    String(durationSeconds),
                    "-J",
                ],
                ...requests,
            },
        ],
    });
}

/** Sequential TCP connects to the service: the time to connect is the first-packet latency. */
const CONNECT_PROBE = `
const net = require("net");
const [host, port, count] = process.argv.slice(1);
const samples = [];
const once = () => new Promise((resolve, reject) => {
  const start = process.hrtime.bigint();
  const socket = net.connect({ host, port: Number(port) });
  socket.setTimeout(5000, () => { socket.destroy(); reject(new Error("connect timed out")); });
  socket.on("connect", () => { samples.push(Number(process.hrtime.bigint() - start) / 1e6); socket.destroy(); resolve(); });
  socket.on("error", reject);
});
(async () => { for (let i = 0; i < Number(count); i++) await once(); console.log(JSON.stringify({ samples })); })()
  .catch((e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });
`;

export function latencyClientPod(
    runId: string,
    node: string,
    target: string,
    connections: number,
): KubeObject {
    return pod(runId, "client-latency", node, {
        restartPolicy: "Never",
        containers: [
            {
                name: "probe",
                image: NODE_IMAGE,
                command: [
                    "node",
                    "-e",
                    CONNECT_PROBE,
                    target,
                    String(ACCEPT_PORT),
                    String(connections),
                ],
                ...requests,
            },
        ],
    });
}

/** Ready, schedulable Linux nodes without NoSchedule/NoExecute taints, by name. */
export function schedulableLinuxNodes(
    nodes: readonly unknown[],
): { name: string; vmSize: string | undefined }[] {
    return nodes.flatMap((node) => {
        const name = field(node, "metadata", "name");
        const nodeLabels = (field(node, "metadata", "labels") ?? {}) as Record<string, string>;
        const conditions = field(node, "status", "conditions");
        const ready =
            Array.isArray(conditions) &&
            conditions.some((c) => field(c, "type") === "Ready" && field(c, "status") === "True");
        const taints = field(node, "spec", "taints");
        const tainted =
            Array.isArray(taints) &&
            taints.some((t) => ["NoSchedule", "NoExecute"].includes(String(field(t, "effect"))));
        const usable =
            typeof name === "string" &&
            ready &&
            field(node, "spec", "unschedulable") !== true &&
            !tainted &&
            nodeLabels["kubernetes.io/os"] === "linux";
        return usable ? [{ name, vmSize: nodeLabels["node.kubernetes.io/instance-type"] }] : [];
    });
}
