/**
 * The benchmark's pods and Service, in a namespace of its own that one delete removes: an iperf3
 * and fortio server on one node, clients on another, a CPU sampler on each, and a host-network pod
 * per node that lists its NICs.
 */
import { field } from "../../core/unstructured";
import type { RequestFlow, ThroughputFlow } from "./flows";
import { PERCENTILES } from "./fortio";
import { FORTIO_IMAGE, NETWORK_PERF_IMAGE } from "./images";
import { NIC_SCRIPT } from "./netinfo";

const IPERF_PORT = 5201;
/** fortio server's defaults: TCP echo on 8078, HTTP echo on 8080 (fortio cli/fortio_main.go @v1.75.2). */
const ECHO_PORT = 8078;
export const HTTP_PORT = 8080;
export const RUN_LABEL = "aks-calico-lab/bench-run";
const PART_OF = { "app.kubernetes.io/part-of": "aks-calico-lab" };

export type KubeObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels: Record<string, string> };
} & Record<string, unknown>;

export const namespaceName = (runId: string) => `lab-bench-${runId}`;

export const labels = (runId: string, role: string) => ({
    ...PART_OF,
    [RUN_LABEL]: runId,
    role,
});

export function namespace(runId: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespaceName(runId), labels: { ...PART_OF, [RUN_LABEL]: runId } },
    };
}

export function pod(
    runId: string,
    name: string,
    node: string,
    spec: Record<string, unknown>,
): KubeObject {
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

export const requests = { resources: { requests: { cpu: "100m", memory: "64Mi" } } };

/** iperf3 server and fortio server (TCP echo for RR, HTTP for CRR) in one pod. */
export function serverPod(runId: string, node: string): KubeObject {
    return pod(runId, "server", node, {
        containers: [
            {
                name: "iperf3",
                image: NETWORK_PERF_IMAGE,
                command: ["iperf3", "-s"],
                ports: [
                    { name: "iperf-tcp", containerPort: IPERF_PORT, protocol: "TCP" },
                    { name: "iperf-udp", containerPort: IPERF_PORT, protocol: "UDP" },
                ],
                ...requests,
            },
            {
                name: "fortio",
                image: FORTIO_IMAGE,
                args: [
                    "server",
                    ...["-http-port", String(HTTP_PORT), "-tcp-port", String(ECHO_PORT)],
                    ...["-udp-port", "disabled", "-grpc-port", "disabled"],
                    ...["-redirect-port", "disabled"],
                ],
                ports: [
                    { name: "echo", containerPort: ECHO_PORT, protocol: "TCP" },
                    { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
                ],
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
                { name: "echo", port: ECHO_PORT, targetPort: ECHO_PORT, protocol: "TCP" },
                { name: "http", port: HTTP_PORT, targetPort: HTTP_PORT, protocol: "TCP" },
            ],
        },
    };
}

/**
 * Prints the node's CPU counters once a second, stamped with the node's clock, after the pod's
 * own MTU. /proc/stat is host-wide inside a container, so no privilege or host PID namespace is
 * needed (k8s-bench-suite's monitor reads node CPU the same way).
 */
export const SAMPLER_SCRIPT =
    'echo "cpus $(grep -c "^cpu[0-9]" /proc/stat)"; echo "mtu $(cat /sys/class/net/eth0/mtu)"; while true; do echo "$(date +%s.%N) $(head -n 1 /proc/stat)"; sleep 1; done';

export function samplerPod(runId: string, role: "client" | "server", node: string): KubeObject {
    return pod(runId, `sampler-${role}`, node, {
        containers: [
            {
                name: "sampler",
                image: NETWORK_PERF_IMAGE,
                command: ["/bin/sh", "-c", SAMPLER_SCRIPT],
                ...requests,
            },
        ],
    });
}

/** Lists the node's NICs from the host's network namespace: a host-network pod, not a privileged one. */
export function nicPod(runId: string, role: "client" | "server", node: string): KubeObject {
    return pod(runId, `nics-${role}`, node, {
        hostNetwork: true,
        restartPolicy: "Never",
        containers: [
            {
                name: "nics",
                image: NETWORK_PERF_IMAGE,
                command: ["/bin/sh", "-c", NIC_SCRIPT],
                ...requests,
            },
        ],
    });
}

/**
 * One iperf3 measurement. -O 1 omits the first second (as k8s-bench-suite does). UDP runs at a
 * fixed rate: with `-b 0` the sent rate is whatever the socket buffer takes, and the loss with it.
 */
export function iperfClientPod(
    runId: string,
    name: string,
    flow: ThroughputFlow,
    node: string,
    target: string,
    options: { durationSeconds: number; udpMbps: number },
): KubeObject {
    const udp = flow.endsWith("udp") ? ["-u", "-b", `${options.udpMbps}M`] : [];
    return pod(runId, name, node, {
        restartPolicy: "Never",
        containers: [
            {
                name: "iperf3",
                image: NETWORK_PERF_IMAGE,
                command: [
                    ...["iperf3", "-c", target, "-p", String(IPERF_PORT), ...udp],
                    ...["-O", "1", "-t", String(options.durationSeconds), "-J"],
                ],
                ...requests,
            },
        ],
    });
}

/**
 * One fortio measurement at full speed (-qps 0) over `connections` connections. RR: the TCP echo
 * runner, which reuses each connection (fortio tcprunner/tcprunner.go). CRR: HTTP with
 * -keepalive=false, a new connection per request, timed separately (fhttp ConnectionStats).
 * -r 0.00001 sets 10 µs histogram buckets (the default, 1 ms, is coarser than an RR).
 */
export function fortioClientPod(
    runId: string,
    name: string,
    flow: RequestFlow,
    node: string,
    target: string,
    options: { durationSeconds: number; connections: number },
): KubeObject {
    const url = flow === "rr" ? `tcp://${target}:${ECHO_PORT}` : `http://${target}:${HTTP_PORT}/`;
    return pod(runId, name, node, {
        restartPolicy: "Never",
        containers: [
            {
                name: "fortio",
                image: FORTIO_IMAGE,
                args: [
                    "load",
                    ...["-qps", "0", "-c", String(options.connections)],
                    ...["-t", `${options.durationSeconds}s`, "-r", "0.00001"],
                    ...["-p", PERCENTILES.join(",")],
                    ...(flow === "crr" ? ["-keepalive=false"] : []),
                    ...["-json", "-", url],
                ],
                ...requests,
            },
        ],
    });
}

/** Ready, schedulable Linux nodes without NoSchedule/NoExecute taints, by name. */
export function schedulableLinuxNodes(nodes: readonly unknown[]): string[] {
    return nodes.flatMap((node) => {
        const name = field(node, "metadata", "name");
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
            field(node, "metadata", "labels", "kubernetes.io/os") === "linux";
        return usable ? [name] : [];
    });
}

/** The digest each container's image resolved to (pod status containerStatuses[].imageID). */
export function imageIds(podObject: unknown): string[] {
    const statuses = field(podObject, "status", "containerStatuses");
    return (Array.isArray(statuses) ? statuses : [])
        .map((s) => field(s, "imageID"))
        .filter((id): id is string => typeof id === "string" && id !== "");
}
