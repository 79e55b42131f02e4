import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORTIO_IMAGE, NETWORK_PERF_IMAGE } from "../../../tools/bench/images";
import {
    fortioClientPod,
    imageIds,
    iperfClientPod,
    namespace,
    nicPod,
    RUN_LABEL,
    samplerPod,
    schedulableLinuxNodes,
    serverPod,
    serverService,
    type KubeObject,
} from "../../../tools/bench/pods";
import { schemaErrors } from "../../support/k8s-schema";

const options = { durationSeconds: 30, udpMbps: 500, connections: 4 };
type Container = { image: string; command?: string[]; args?: string[] };
const containers = (o: KubeObject) => (o.spec as { containers: Container[] }).containers;
const argv = (o: KubeObject) => {
    const [c] = containers(o);
    return [...(c?.command ?? []), ...(c?.args ?? [])].join(" ");
};

describe("the benchmark's pods", () => {
    const objects: KubeObject[] = [
        namespace("abcd1234"),
        serverPod("abcd1234", "aks-system-0"),
        serverService("abcd1234"),
        samplerPod("abcd1234", "server", "aks-system-0"),
        samplerPod("abcd1234", "client", "aks-system-1"),
        nicPod("abcd1234", "client", "aks-system-1"),
        iperfClientPod(
            "abcd1234",
            "p2p-tcp-n0-r1",
            "p2p-tcp",
            "aks-system-1",
            "10.224.0.50",
            options,
        ),
        iperfClientPod(
            "abcd1234",
            "p2s-udp-n0-r1",
            "p2s-udp",
            "aks-system-1",
            "10.0.88.1",
            options,
        ),
        fortioClientPod("abcd1234", "rr-n0-r1", "rr", "aks-system-1", "10.0.88.1", options),
        fortioClientPod("abcd1234", "crr-n0-r1", "crr", "aks-system-1", "10.0.88.1", options),
    ];

    it("validate against the Kubernetes schema", async () => {
        for (const object of objects)
            assert.equal(await schemaErrors(object), undefined, object.metadata.name);
    });

    it("carry the run's label, for cleanup, and live in the run's namespace", () => {
        for (const object of objects) {
            assert.equal(object.metadata.labels[RUN_LABEL], "abcd1234", object.metadata.name);
            if (object.kind !== "Namespace")
                assert.equal(object.metadata.namespace, "lab-bench-abcd1234");
        }
    });

    it("run only images pinned by tag and digest", () => {
        for (const image of [NETWORK_PERF_IMAGE, FORTIO_IMAGE])
            assert.match(image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
        for (const object of objects.filter((o) => o.kind === "Pod"))
            for (const c of containers(object))
                assert.ok([NETWORK_PERF_IMAGE, FORTIO_IMAGE].includes(c.image));
    });

    it("run UDP at a fixed rate, not -b 0, and leave out iperf3's first second", () => {
        assert.equal(
            argv(objects[7] as KubeObject),
            "iperf3 -c 10.0.88.1 -p 5201 -u -b 500M -O 1 -t 30 -J",
        );
        assert.equal(argv(objects[6] as KubeObject), "iperf3 -c 10.224.0.50 -p 5201 -O 1 -t 30 -J");
    });

    it("drive RR over kept connections and CRR with a new connection per request, at the stated concurrency", () => {
        assert.equal(
            argv(objects[8] as KubeObject),
            "load -qps 0 -c 4 -t 30s -r 0.00001 -p 50,90,99,99.9 -json - tcp://10.0.88.1:8078",
        );
        assert.equal(
            argv(objects[9] as KubeObject),
            "load -qps 0 -c 4 -t 30s -r 0.00001 -p 50,90,99,99.9 -keepalive=false -json - http://10.0.88.1:8080/",
        );
    });

    it("list the NICs from the host network without privilege", () => {
        const spec = (objects[5] as KubeObject).spec as {
            hostNetwork: boolean;
            containers: { securityContext?: unknown }[];
        };
        assert.equal(spec.hostNetwork, true);
        assert.equal(spec.containers[0]?.securityContext, undefined);
    });

    it("select the server pod with the Service, which carries iperf3, echo and HTTP ports", () => {
        const service = serverService("abcd1234").spec as {
            selector: Record<string, string>;
            ports: { port: number }[];
        };
        const serverLabels = serverPod("abcd1234", "n").metadata.labels;
        for (const [key, value] of Object.entries(service.selector))
            assert.equal(serverLabels[key], value);
        assert.deepEqual(
            service.ports.map((p) => p.port),
            [5201, 5201, 8078, 8080],
        );
    });
});

describe("schedulableLinuxNodes", () => {
    const node = (name: string, extra: Record<string, unknown> = {}) => ({
        metadata: { name, labels: { "kubernetes.io/os": "linux" } },
        status: { conditions: [{ type: "Ready", status: "True" }] },
        ...extra,
    });
    it("keeps Ready, schedulable, untainted Linux nodes", () => {
        assert.deepEqual(
            schedulableLinuxNodes([
                node("a"),
                node("b", { spec: { unschedulable: true } }),
                node("c", { metadata: { name: "c", labels: { "kubernetes.io/os": "windows" } } }),
                node("d", { status: { conditions: [{ type: "Ready", status: "False" }] } }),
                node("e", { spec: { taints: [{ key: "x", effect: "NoSchedule" }] } }),
                node("f"),
            ]),
            ["a", "f"],
        );
    });
});

describe("imageIds", () => {
    it("reads the resolved digests from the pod status", () => {
        assert.deepEqual(
            imageIds({
                status: {
                    containerStatuses: [
                        { imageID: "quay.io/cilium/network-perf@sha256:c115" },
                        { imageID: "" },
                        {},
                    ],
                },
            }),
            ["quay.io/cilium/network-perf@sha256:c115"],
        );
    });
});
