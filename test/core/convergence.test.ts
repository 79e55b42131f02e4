import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    pendingCalicoReady,
    pendingRollout,
    pendingSwitch,
    withNodesNotReady,
    type CalicoSnapshot,
} from "../../core/convergence";

const rolledOut = { generation: 4, observedGeneration: 4, desired: 2, updated: 2, available: 2 };
const healthy = [
    { type: "Available", status: "True", observedGeneration: 7 },
    { type: "Progressing", status: "False", observedGeneration: 7 },
    { type: "Degraded", status: "False", observedGeneration: 7 },
];
const liveBpf: CalicoSnapshot = {
    linuxDataplane: "BPF",
    installationGeneration: 7,
    felixConfigurationFound: true,
    felixBpfEnabled: true,
    calicoNode: rolledOut,
    tigeraStatus: healthy,
};

describe("pendingRollout", () => {
    it("is empty when every replica is updated and available", () => {
        assert.deepEqual(pendingRollout("ds", rolledOut), []);
    });
    it("names each thing a rollout still waits for", () => {
        assert.deepEqual(
            pendingRollout("ds", {
                generation: 5,
                observedGeneration: 4,
                desired: 3,
                updated: 1,
                available: 2,
                stale: 2,
            }),
            [
                "ds: controller has not observed generation 5 yet",
                "ds: 1 of 3 updated",
                "ds: 2 of 3 available",
                "ds: 2 old replica(s) still running",
            ],
        );
        assert.deepEqual(pendingRollout("ds", undefined), ["ds not found"]);
    });
    it("counts a generation the controller has not reported observing at all as not observed", () => {
        assert.deepEqual(
            pendingRollout("ds", { generation: 2, desired: 1, updated: 1, available: 1 }),
            ["ds: controller has not observed generation 2 yet"],
        );
    });
    it("waits for a single old replica still running", () => {
        assert.deepEqual(pendingRollout("deploy", { ...rolledOut, stale: 1 }), [
            "deploy: 1 old replica(s) still running",
        ]);
    });
});

describe("pendingSwitch", () => {
    it("is empty once eBPF is live everywhere", () => {
        assert.deepEqual(pendingSwitch("bpf", liveBpf), []);
    });

    it("waits for the operator to set bpfEnabled, which it does only after calico-node rolled out", () => {
        const pending = pendingSwitch("bpf", { ...liveBpf, felixBpfEnabled: undefined });
        assert.deepEqual(pending, [
            "FelixConfiguration default: bpfEnabled is unset, want true (set by the operator)",
        ]);
    });

    it("says when the cluster is in operator 1.40's nftables phase on the way to eBPF", () => {
        const nftablesPhase = { ...liveBpf, felixBpfEnabled: false, felixNftablesMode: "Enabled" };
        const [pending] = pendingSwitch("bpf", nftablesPhase);
        assert.match(
            pending ?? "",
            /^FelixConfiguration default: bpfEnabled is false, want true \(set by the operator\); nftablesMode is Enabled: .*Felix runs nftables beside AKS's iptables kube-proxy/,
        );
        assert.doesNotMatch(
            pendingSwitch("bpf", { ...nftablesPhase, felixNftablesMode: "Disabled" })[0] ?? "",
            /nftables/,
        );
        assert.deepEqual(pendingSwitch("bpf", { ...liveBpf, felixNftablesMode: "Enabled" }), []);
    });

    it("back to iptables: waits for bpfEnabled false, and for the rollout", () => {
        const pending = pendingSwitch("iptables", {
            ...liveBpf,
            linuxDataplane: "Iptables",
            calicoNode: { ...rolledOut, updated: 1 },
        });
        assert.deepEqual(pending, [
            "FelixConfiguration default: bpfEnabled is true, want false (set by the operator)",
            "DaemonSet calico-system/calico-node: 1 of 2 updated",
        ]);
        assert.deepEqual(
            pendingSwitch("iptables", {
                ...liveBpf,
                linuxDataplane: "Iptables",
                felixBpfEnabled: false,
            }),
            [],
        );
    });

    it("treats an unset bpfEnabled as iptables", () => {
        assert.deepEqual(
            pendingSwitch("iptables", {
                ...liveBpf,
                linuxDataplane: "Iptables",
                felixBpfEnabled: undefined,
            }),
            [],
        );
    });

    it("reports a Degraded operator with its message", () => {
        const degraded = healthy.map((c) =>
            c.type === "Degraded"
                ? { ...c, status: "True", message: "modified by someone else" }
                : c,
        );
        assert.deepEqual(pendingSwitch("bpf", { ...liveBpf, tigeraStatus: degraded }), [
            "TigeraStatus calico: Degraded is True: modified by someone else",
        ]);
    });

    it("does not trust conditions from an older Installation generation", () => {
        const stale = healthy.map((c) => ({ ...c, observedGeneration: 6 }));
        assert.equal(pendingSwitch("bpf", { ...liveBpf, tigeraStatus: stale }).length, 3);
    });

    it("asks for the dataplane in the Installation", () => {
        assert.deepEqual(pendingSwitch("bpf", { ...liveBpf, linuxDataplane: "Iptables" }), [
            "Installation default: linuxDataplane is Iptables, want BPF",
        ]);
    });

    it("reports missing objects", () => {
        assert.deepEqual(
            pendingSwitch("iptables", {
                linuxDataplane: "Iptables",
                installationGeneration: 1,
                felixConfigurationFound: true,
                felixBpfEnabled: false,
                calicoNode: undefined,
                tigeraStatus: undefined,
            }),
            ["DaemonSet calico-system/calico-node not found", "TigeraStatus calico not found"],
        );
    });
});

describe("pendingCalicoReady", () => {
    it("is empty once the Installation, FelixConfiguration and an Available TigeraStatus exist", () => {
        assert.deepEqual(pendingCalicoReady(liveBpf), []);
    });
    it("lists what a fresh cluster still lacks", () => {
        assert.deepEqual(
            pendingCalicoReady({
                linuxDataplane: undefined,
                installationGeneration: undefined,
                felixConfigurationFound: false,
                felixBpfEnabled: undefined,
                calicoNode: undefined,
                tigeraStatus: [{ type: "Available", status: "False" }],
            }),
            [
                "Installation default not found",
                "FelixConfiguration default not found",
                "TigeraStatus calico: Available is False",
            ],
        );
    });
});

describe("withNodesNotReady", () => {
    const notReadyNodes = [
        { name: "n1", status: "Unknown", reason: "NodeStatusUnknown" },
        { name: "n2", status: "missing" },
    ];
    it("puts the nodes that are not Ready before what the wait still waits for", () => {
        assert.deepEqual(withNodesNotReady(["calico-node: 1 of 2 updated"], { notReadyNodes }), [
            "node n1 is not Ready (Unknown: NodeStatusUnknown)",
            "node n2 is not Ready (missing)",
            "calico-node: 1 of 2 updated",
        ]);
    });
    it("holds nothing back once the rest is done, and adds nothing when every node is Ready", () => {
        assert.deepEqual(withNodesNotReady([], { notReadyNodes }), []);
        assert.deepEqual(withNodesNotReady(["x"], {}), ["x"]);
    });
});
