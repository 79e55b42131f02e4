import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    iperfClientPod,
    latencyClientPod,
    namespace,
    RUN_LABEL,
    samplerPod,
    serverPod,
    serverService,
    type KubeObject,
} from "../../../tools/bench/pods";
import { schemaErrors } from "../../support/k8s-schema";

describe("the benchmark's objects", () => {
    const objects: KubeObject[] = [
        namespace("abcd1234"),
        serverPod("abcd1234", "aks-system-0"),
        serverService("abcd1234"),
        samplerPod("abcd1234", "server", "aks-system-0"),
        samplerPod("abcd1234", "client", "aks-system-1"),
        iperfClientPod("abcd1234", "p2p-tcp", "aks-system-1", "10.224.0.50", 30),
        latencyClientPod("abcd1234", "aks-system-1", "10.0.88.1", 200),
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

    it("pin the server and the client to different nodes", () => {
        const hostOf = (o: KubeObject) =>
            (o.spec as { nodeSelector: Record<string, string> }).nodeSelector[
                "kubernetes.io/hostname"
            ];
        const server = objects.find((o) => o.metadata.name === "server") as KubeObject;
        const client = objects.find((o) => o.metadata.name === "client-p2p-tcp") as KubeObject;
        assert.equal(hostOf(server), "aks-system-0");
        assert.equal(hostOf(client), "aks-system-1");
        assert.notEqual(hostOf(server), hostOf(client));
    });

    it("select the server pod with the Service", () => {
        const selector = (serverService("abcd1234").spec as { selector: Record<string, string> })
            .selector;
        const serverLabels = serverPod("abcd1234", "n").metadata.labels;
        for (const [key, value] of Object.entries(selector)) assert.equal(serverLabels[key], value);
    });
});
