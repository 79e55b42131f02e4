import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pendingSwitch } from "../../../core/convergence";
import {
    calicoSnapshotFrom,
    deploymentRollout,
    ebpfFlipFactsFrom,
    liveDataplane,
    nodeInternalIps,
} from "../../../tools/kube/cluster-objects";
import {
    bpfClusterObjects,
    fixture,
    iptablesClusterObjects,
    NODE_IPS,
} from "../../support/fixtures";

describe("calicoSnapshotFrom (recorded objects)", () => {
    it("reads a cluster settled on eBPF", () => {
        const snapshot = calicoSnapshotFrom(bpfClusterObjects());
        assert.equal(snapshot.linuxDataplane, "BPF");
        assert.equal(snapshot.installationGeneration, 5);
        assert.equal(snapshot.felixBpfEnabled, true);
        assert.equal(snapshot.felixNftablesMode, "Disabled");
        assert.equal(snapshot.felixLogSeverityScreen, "Info");
        assert.deepEqual(snapshot.calicoNode, {
            generation: 9,
            observedGeneration: 9,
            desired: 2,
            updated: 2,
            available: 2,
        });
        assert.equal(snapshot.tigeraStatus?.length, 3);
        assert.equal(liveDataplane(snapshot), "bpf");
        assert.deepEqual(pendingSwitch("bpf", snapshot), []);
    });

    it("reads a cluster back on iptables", () => {
        const snapshot = calicoSnapshotFrom(iptablesClusterObjects());
        assert.equal(liveDataplane(snapshot), "iptables");
        assert.deepEqual(pendingSwitch("iptables", snapshot), []);
    });

    it("sees a switch in progress and missing objects", () => {
        const objects = { ...bpfClusterObjects(), felixConfiguration: { spec: {} } };
        assert.equal(liveDataplane(calicoSnapshotFrom(objects)), "switching");
        const bare = calicoSnapshotFrom({
            installation: undefined,
            felixConfiguration: undefined,
            calicoNodeDaemonSet: undefined,
            tigeraStatus: undefined,
        });
        assert.equal(liveDataplane(bare), undefined);
        assert.equal(bare.calicoNode, undefined);
        assert.equal(bare.tigeraStatus, undefined);
    });
});

describe("calicoSnapshotFrom's nodes that are not Ready (recorded Nodes)", () => {
    const [first, second] = fixture("nodes.json") as Record<string, unknown>[];
    const withReady = (node: Record<string, unknown> | undefined, ready: object) => ({
        ...node,
        status: { conditions: [{ type: "MemoryPressure", status: "False" }, ready] },
    });
    const snapshotOf = (nodes: unknown[]) =>
        calicoSnapshotFrom({ ...bpfClusterObjects(), nodes }).notReadyNodes;

    it("names a Linux node whose Ready is not True, with its reason, and none that is Ready", () => {
        assert.deepEqual(
            snapshotOf([
                withReady(first, { type: "Ready", status: "True" }),
                withReady(second, {
                    type: "Ready",
                    status: "Unknown",
                    reason: "NodeStatusUnknown",
                }),
            ]),
            [
                {
                    name: "aks-system-12345678-vmss000001",
                    status: "Unknown",
                    reason: "NodeStatusUnknown",
                },
            ],
        );
    });

    it("counts a node without a Ready condition as not Ready, and leaves Windows nodes out", () => {
        const windows = {
            metadata: { name: "akswin000000", labels: { "kubernetes.io/os": "windows" } },
        };
        assert.deepEqual(snapshotOf([first, windows]), [
            { name: "aks-system-12345678-vmss000000", status: "missing" },
        ]);
        assert.deepEqual(calicoSnapshotFrom(bpfClusterObjects()).notReadyNodes, []);
    });
});

describe("nodeInternalIps (recorded Nodes)", () => {
    it("takes the InternalIP of every node and nothing else", () => {
        assert.deepEqual(nodeInternalIps(fixture("nodes.json") as unknown[]), NODE_IPS);
        assert.deepEqual(nodeInternalIps([{ status: {} }, {}]), []);
    });
});

describe("deploymentRollout", () => {
    it("counts replicas of older revisions as stale", () => {
        const rollout = deploymentRollout({
            metadata: { generation: 3 },
            spec: { replicas: 2 },
            status: {
                observedGeneration: 3,
                replicas: 3,
                updatedReplicas: 1,
                availableReplicas: 2,
            },
        });
        assert.deepEqual(rollout, {
            generation: 3,
            observedGeneration: 3,
            desired: 2,
            updated: 1,
            available: 2,
            stale: 2,
        });
    });
});

describe("ebpfFlipFactsFrom (what a flip to eBPF reads first)", () => {
    const { installation } = bpfClusterObjects();
    const nodes = fixture("nodes.json") as unknown[];
    const felixWith = (managers: { manager: string; operation: string }[]) => ({
        metadata: {
            name: "default",
            managedFields: managers.map((m) => ({
                ...m,
                fieldsType: "FieldsV1",
                fieldsV1: { "f:spec": { "f:bpfConnectTimeLoadBalancing": {} } },
            })),
        },
        spec: { bpfConnectTimeLoadBalancing: "Disabled" },
    });

    it("reads the Calico version from the Installation status and each node's kernel", () => {
        const facts = ebpfFlipFactsFrom({ installation, felixConfiguration: felixWith([]), nodes });
        assert.equal(facts.calicoVersion, "v3.30.3");
        assert.deepEqual(
            facts.nodes.map((n) => n.kernelVersion),
            nodes.map(() => "6.8.0-1041-azure"),
        );
    });

    it("takes the lab's own Disabled as handed back, so Felix's default applies after the flip", () => {
        for (const manager of ["pulumi-kubernetes-5f3a9c1e", "aks-calico-lab"]) {
            const felixConfiguration = felixWith([{ manager, operation: "Apply" }]);
            const facts = ebpfFlipFactsFrom({ installation, felixConfiguration, nodes });
            assert.equal(facts.connectTimeLoadBalancing, undefined, manager);
        }
    });

    it("names the provider managers to release once two hold the field (after a lost state)", () => {
        const managers = ["pulumi-kubernetes-9a9d90a2", "pulumi-kubernetes-5f3a9c1e"];
        const felixConfiguration = felixWith(
            managers.map((manager) => ({ manager, operation: "Apply" })),
        );
        const facts = ebpfFlipFactsFrom({ installation, felixConfiguration, nodes });
        assert.deepEqual(facts.orphanedCtlbManagers, managers);
        const one = felixWith([{ manager: managers[0] ?? "", operation: "Apply" }]);
        assert.deepEqual(
            ebpfFlipFactsFrom({ installation, felixConfiguration: one, nodes })
                .orphanedCtlbManagers,
            [],
        );
    });

    it("keeps a value another manager holds too, or whose holder it cannot tell", () => {
        const shared = felixWith([
            { manager: "pulumi-kubernetes-5f3a9c1e", operation: "Apply" },
            { manager: "ctlb-off", operation: "Apply" },
        ]);
        for (const felixConfiguration of [shared, felixWith([])]) {
            const facts = ebpfFlipFactsFrom({ installation, felixConfiguration, nodes });
            assert.equal(facts.connectTimeLoadBalancing, "Disabled");
        }
    });
});
