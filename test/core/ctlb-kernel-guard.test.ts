import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    calicoHasCtlbFix,
    ctlbKernelRefusal,
    kernelRefusesOldCtlb,
    type EbpfFlipFacts,
} from "../../core/ctlb-kernel-guard";

describe("calicoHasCtlbFix", () => {
    it("knows the first fixed patch of each line (projectcalico/calico#11399) and every later line", () => {
        const cases: [string, boolean | undefined][] = [
            ["v3.29.5", false],
            ["v3.29.7", true],
            ["v3.30.3", false],
            ["v3.30.4", false],
            ["v3.30.5", true],
            ["v3.30.7", true],
            ["v3.31.2", false],
            ["v3.31.3", true],
            ["v3.31.7", true],
            ["v3.32.0", true],
            ["3.28.2", false],
            ["v4.0.0", true],
            ["", undefined],
            ["master", undefined],
        ];
        for (const [version, fixed] of cases)
            assert.equal(calicoHasCtlbFix(version), fixed, version);
        assert.equal(calicoHasCtlbFix(undefined), undefined);
    });
});

describe("kernelRefusesOldCtlb", () => {
    it("is true from 6.12 on, as node status.nodeInfo.kernelVersion spells it", () => {
        assert.equal(kernelRefusesOldCtlb("5.15.0-1102-azure"), false);
        assert.equal(kernelRefusesOldCtlb("6.8.0-1041-azure"), false);
        assert.equal(kernelRefusesOldCtlb("6.11.11"), false);
        assert.equal(kernelRefusesOldCtlb("6.12.0-1-azure"), true);
        assert.equal(kernelRefusesOldCtlb("6.18.3"), true);
        assert.equal(kernelRefusesOldCtlb("7.0.1"), true);
        assert.equal(kernelRefusesOldCtlb(undefined), false);
    });
});

describe("ctlbKernelRefusal", () => {
    const risky: EbpfFlipFacts = {
        calicoVersion: "v3.31.2",
        connectTimeLoadBalancing: undefined,
        orphanedCtlbManagers: [],
        nodes: [
            { name: "aks-a", kernelVersion: "6.18.3" },
            { name: "aks-b", kernelVersion: "6.8.0-1041-azure" },
            { name: "aks-c", kernelVersion: "6.12.0" },
        ],
    };

    it("refuses in one line naming the nodes, their kernels, the Calico and both ways out", () => {
        const refusal = ctlbKernelRefusal(risky) ?? "";
        assert.doesNotMatch(refusal, /\n/);
        assert.match(
            refusal,
            /aks-a \(kernel 6\.18\.3\), aks-c \(kernel 6\.12\.0\) run kernel 6\.12/,
        );
        assert.doesNotMatch(refusal, /aks-b/);
        assert.match(refusal, /bpfConnectTimeLoadBalancing TCP, the default\) of Calico v3\.31\.2/);
        assert.match(refusal, /fixed in v3\.29\.7, v3\.30\.5, v3\.31\.3/);
        assert.match(refusal, /an AKS version whose Calico has the fix/);
        assert.match(
            refusal,
            /"bpfConnectTimeLoadBalancing":"Disabled".*kubectl apply --server-side/,
        );
    });

    it("counts TCP and Enabled as on, in any case, and lets Disabled through", () => {
        assert.ok(ctlbKernelRefusal({ ...risky, connectTimeLoadBalancing: "Enabled" }));
        assert.ok(ctlbKernelRefusal({ ...risky, connectTimeLoadBalancing: "TCP" }));
        assert.equal(
            ctlbKernelRefusal({ ...risky, connectTimeLoadBalancing: "Disabled" }),
            undefined,
        );
        assert.equal(
            ctlbKernelRefusal({ ...risky, connectTimeLoadBalancing: "disabled" }),
            undefined,
        );
    });

    it("lets a fixed Calico through, and nodes whose kernels predate 6.12", () => {
        assert.equal(ctlbKernelRefusal({ ...risky, calicoVersion: "v3.31.7" }), undefined);
        assert.equal(ctlbKernelRefusal({ ...risky, nodes: [risky.nodes[1] as never] }), undefined);
        assert.equal(ctlbKernelRefusal({ ...risky, nodes: [] }), undefined);
    });

    it("refuses where the Calico version cannot be read, saying so", () => {
        assert.match(
            ctlbKernelRefusal({ ...risky, calicoVersion: undefined }) ?? "",
            /a Calico whose version the lab cannot read \(Installation default status\.calicoVersion is ""\)/,
        );
    });
});
