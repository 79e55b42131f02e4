import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    calicoPreflightProblem,
    ebpfStillLive,
    V3_API_GROUP_MESSAGE,
    type CalicoApis,
} from "../../core/calico-preflight";

const ALL: CalicoApis = { installationCrd: true, felixCrd: true, felixV3Crd: false };
const NONE: CalicoApis = { installationCrd: false, felixCrd: false, felixV3Crd: false };
const installed = { installationGeneration: 3 };
const noInstallation = { installationGeneration: undefined };

describe("calicoPreflightProblem", () => {
    it("passes a cluster that runs the operator with Installation default and the v1 Felix CRD", () => {
        for (const existing of [false, true]) {
            assert.equal(calicoPreflightProblem(ALL, installed, existing), undefined);
        }
        // Both served: the check goes by the v1 CRD the lab patches (a DatastoreMigration's phase is not read).
        assert.equal(
            calicoPreflightProblem({ ...ALL, felixV3Crd: true }, installed, true),
            undefined,
        );
    });

    it("on a cluster the lab created, waits (no verdict) for what the operator has yet to register", () => {
        assert.equal(calicoPreflightProblem(NONE, noInstallation, false), undefined);
    });

    it("on an existing cluster, names everything missing in one line", () => {
        const problem = calicoPreflightProblem(NONE, noInstallation, true) ?? "";
        assert.match(
            problem,
            /no CRD installations\.operator\.tigera\.io, no CRD felixconfigurations\.crd\.projectcalico\.org; nothing was patched$/,
        );
        assert.equal(problem.split("\n").length, 1);
        assert.match(
            calicoPreflightProblem({ ...ALL, felixCrd: false }, installed, true) ?? "",
            /no CRD felixconfigurations\.crd\.projectcalico\.org;/,
        );
    });

    it("refuses the projectcalico.org/v3 API group on every cluster", () => {
        const v3 = { installationCrd: true, felixCrd: false, felixV3Crd: true };
        for (const existing of [false, true]) {
            assert.equal(calicoPreflightProblem(v3, installed, existing), V3_API_GROUP_MESSAGE);
        }
        assert.match(V3_API_GROUP_MESSAGE, /projectcalico\.org\/v3 API group.*does not switch yet/);
    });
});

describe("ebpfStillLive", () => {
    it("stops a destroy while the Installation asks for eBPF or Felix still runs it", () => {
        assert.ok(ebpfStillLive({ linuxDataplane: "BPF", felixBpfEnabled: true }));
        assert.ok(ebpfStillLive({ linuxDataplane: "BPF", felixBpfEnabled: false }));
        assert.ok(ebpfStillLive({ linuxDataplane: "Iptables", felixBpfEnabled: true }));
    });

    it("lets it go on under iptables, or where Calico is gone", () => {
        assert.equal(
            ebpfStillLive({ linuxDataplane: "Iptables", felixBpfEnabled: false }),
            undefined,
        );
        assert.equal(
            ebpfStillLive({ linuxDataplane: undefined, felixBpfEnabled: undefined }),
            undefined,
        );
    });
});
