import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    canonicalJson,
    dataplaneSettingsOf,
    fingerprintOf,
} from "../../../tools/bench/fingerprint";
import { RECORDED_NODES, recordedFingerprint } from "../../support/bench";
import { bpfClusterObjects, environmentObjectsOf } from "../../support/fixtures";

describe("fingerprintOf (recorded-shape Node and Calico objects)", () => {
    it("records versions, modes, the node pair with VM size, OS, kernel, NICs, and the method", () => {
        const fingerprint = recordedFingerprint();
        assert.equal(fingerprint.kubernetesVersion, "v1.36.2");
        assert.equal(fingerprint.calicoVersion, "v3.30.3");
        assert.equal(fingerprint.operatorVersion, "v1.40.2");
        assert.equal(fingerprint.kubeProxyMode, "iptables (default)");
        assert.equal(fingerprint.podMtu, 1500);
        assert.equal(fingerprint.client.name, RECORDED_NODES[0]);
        assert.equal(fingerprint.server.name, RECORDED_NODES[1]);
        assert.equal(fingerprint.client.instanceType, "Standard_D2s_v3");
        assert.equal(fingerprint.client.osImage, "Ubuntu 24.04.3 LTS");
        assert.equal(fingerprint.client.kernelVersion, "6.8.0-1041-azure");
        assert.equal(
            fingerprint.client.nodeImageVersion,
            "AKSUbuntu-2404gen2containerd-202611.10.0",
        );
        assert.equal(fingerprint.client.acceleratedNetworking, true);
        assert.deepEqual(
            fingerprint.client.nics.map((n) => n.name),
            ["enP30832s1", "eth0"],
        );
        assert.deepEqual(fingerprint.method, { durationSeconds: 30, connections: 4, udpMbps: 500 });
        assert.deepEqual(fingerprint.imageIds, [
            "docker.io/fortio/fortio@sha256:942c",
            "quay.io/cilium/network-perf@sha256:c115",
        ]);
    });

    it("keeps unknown what the cluster does not say (no NICs read, no zone label)", () => {
        const fingerprint = fingerprintOf({
            environment: environmentObjectsOf(bpfClusterObjects()),
            kubernetesVersion: undefined,
            clientNode: RECORDED_NODES[0] as string,
            serverNode: "gone",
            nics: { client: [], server: [] },
            podMtu: undefined,
            imageIds: [],
            method: { durationSeconds: 10, connections: 1, udpMbps: 100 },
        });
        assert.equal(fingerprint.client.acceleratedNetworking, undefined);
        assert.equal(fingerprint.client.zone, undefined);
        assert.equal(fingerprint.server.osImage, undefined);
    });

    it("keeps the dataplane's own settings apart from the fingerprint", () => {
        assert.deepEqual(dataplaneSettingsOf(environmentObjectsOf(bpfClusterObjects()), "bpf"), {
            dataplane: "bpf",
            nftablesMode: "Disabled",
            bpfKubeProxyMinSyncPeriod: undefined,
        });
        const environment = environmentObjectsOf(bpfClusterObjects());
        const felix = structuredClone(environment.felixConfiguration) as {
            spec: Record<string, unknown>;
        };
        felix.spec["bpfKubeProxyMinSyncPeriod"] = "5s";
        assert.equal(
            dataplaneSettingsOf({ ...environment, felixConfiguration: felix }, "bpf")
                .bpfKubeProxyMinSyncPeriod,
            "5s",
        );
        assert.equal("nftablesMode" in recordedFingerprint(), false);
    });
});

describe("canonicalJson", () => {
    it("is the same for the same content in any key order, and differs when a value does", () => {
        assert.equal(
            canonicalJson({ b: 1, a: { d: [1, 2], c: undefined } }),
            '{"a":{"d":[1,2]},"b":1}',
        );
        assert.equal(
            canonicalJson({ a: { d: [1, 2] }, b: 1 }),
            canonicalJson({ b: 1, a: { d: [1, 2] } }),
        );
        assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
    });
});
