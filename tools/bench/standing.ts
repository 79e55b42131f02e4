/**
 * The services axis: standing ClusterIP Services that load the dataplane, and the prober that
 * measures how long a new endpoint takes to become reachable among them (the programming latency).
 */
import { HTTP_PORT, labels, namespaceName, pod, requests, type KubeObject } from "./pods";
import { NETWORK_PERF_IMAGE } from "./images";

const standingName = (index: number) => `standing-${index}`;
export const sentinelName = (services: number, repetition: number) =>
    `sentinel-n${services}-r${repetition}`;
export const PROBER = "prober";

/** A ClusterIP Service without a selector: its endpoints are the EndpointSlice made for it. */
export function serviceWithoutSelector(runId: string, name: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: namespaceName(runId), labels: labels(runId, "standing") },
        spec: { ports: [{ name: "http", port: HTTP_PORT, protocol: "TCP" }] },
    };
}

/**
 * One endpoint, the server pod's HTTP port, for the Service `serviceName`. kube-proxy and Calico's
 * eBPF proxy (felix/bpf/proxy/proxy.go uses k8s.io/kubernetes/pkg/proxy's EndpointSlice tracking)
 * tie a slice to its Service by the kubernetes.io/service-name label (kubernetes/kubernetes
 * pkg/proxy/endpointslicecache.go endpointSliceCacheKeys).
 */
export function endpointSlice(runId: string, serviceName: string, podIp: string): KubeObject {
    return {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
            name: serviceName,
            namespace: namespaceName(runId),
            labels: {
                ...labels(runId, "standing"),
                "kubernetes.io/service-name": serviceName,
                "endpointslice.kubernetes.io/managed-by": "aks-calico-lab",
            },
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [podIp], conditions: { ready: true } }],
        ports: [{ name: "http", port: HTTP_PORT, protocol: "TCP" }],
    };
}

/** The objects of standing Services `from` to `to - 1`, each Service with its slice. */
export function standingObjects(
    runId: string,
    from: number,
    to: number,
    podIp: string,
): KubeObject[][] {
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => {
        const name = standingName(from + i);
        return [serviceWithoutSelector(runId, name), endpointSlice(runId, name, podIp)];
    });
}

/** What the prober may do with its token: create EndpointSlices in the run's namespace, nothing else. */
export function proberAccess(runId: string): KubeObject[] {
    const metadata = {
        name: PROBER,
        namespace: namespaceName(runId),
        labels: labels(runId, PROBER),
    };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata,
            rules: [
                {
                    apiGroups: ["discovery.k8s.io"],
                    resources: ["endpointslices"],
                    verbs: ["create"],
                },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata,
            subjects: [{ kind: "ServiceAccount", name: PROBER, namespace: namespaceName(runId) }],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: PROBER },
        },
    ];
}

/**
 * Creates the sentinel's EndpointSlice itself, then connects to the sentinel's ClusterIP until a
 * connection succeeds, so that both moments are read from one clock (the client node's). Until the
 * slice is programmed the Service has no endpoints: kube-proxy rejects, eBPF drops; a 100 ms
 * connect timeout bounds a dropped attempt.
 */
export const PROBER_SCRIPT = [
    // SA and API stay overridable so that the test can run this script against a local server.
    "sa=${SA:-/var/run/secrets/kubernetes.io/serviceaccount}",
    'api=${API:-"https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"}',
    "before=$(date +%s%3N)",
    `status=$(curl -sS -o /tmp/response -w '%{http_code}' --max-time 30 --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" -H 'Content-Type: application/json' --data "$SLICE" "$api/apis/discovery.k8s.io/v1/namespaces/$NAMESPACE/endpointslices")`,
    "created=$(date +%s%3N)",
    'if [ "$status" != 201 ]; then echo "error: creating the EndpointSlice answered HTTP $status: $(head -c 300 /tmp/response)"; exit 1; fi',
    "attempts=1",
    `until timeout 0.1 bash -c 'exec 3<>"/dev/tcp/$TARGET/$PORT"' 2>/dev/null; do`,
    '  if [ $(( $(date +%s%3N) - created )) -ge "$LIMIT_MS" ]; then echo "error: $TARGET:$PORT still unreachable $LIMIT_MS ms after its EndpointSlice was created ($attempts attempts)"; exit 1; fi',
    "  attempts=$((attempts + 1))",
    "  sleep 0.01",
    "done",
    'echo "programmed $before $created $(date +%s%3N) $attempts"',
].join("\n");

export function proberPod(
    runId: string,
    node: string,
    sentinel: { name: string; clusterIp: string; podIp: string; limitMs: number },
): KubeObject {
    const env = {
        NAMESPACE: namespaceName(runId),
        SLICE: JSON.stringify(endpointSlice(runId, sentinel.name, sentinel.podIp)),
        TARGET: sentinel.clusterIp,
        PORT: String(HTTP_PORT),
        LIMIT_MS: String(sentinel.limitMs),
    };
    return pod(runId, `probe-${sentinel.name}`, node, {
        serviceAccountName: PROBER,
        restartPolicy: "Never",
        containers: [
            {
                name: PROBER,
                image: NETWORK_PERF_IMAGE,
                command: ["/bin/bash", "-c", PROBER_SCRIPT],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                ...requests,
            },
        ],
    });
}

export interface ProgrammingResult {
    /** From just before the EndpointSlice was posted to the first connection through it. */
    readonly programmedMs: number;
    /** The POST's own round trip: the part of `programmedMs` before the API server had the slice. */
    readonly createMs: number;
    readonly attempts: number;
}

export function parseProberLog(text: string): ProgrammingResult {
    const result = /^programmed (\d+) (\d+) (\d+) (\d+)$/m.exec(text);
    if (result) {
        const [before, created, reachable, attempts] = result.slice(1).map(Number) as [
            number,
            number,
            number,
            number,
        ];
        return { programmedMs: reachable - before, createMs: created - before, attempts };
    }
    const error = /^error: (.*)$/m.exec(text)?.[1];
    throw new Error(
        `the programming probe failed: ${error ?? `no result in its log: ${text.trim().slice(-300)}`}`,
    );
}
