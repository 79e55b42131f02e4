import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
} from "./crd-schema";

// The validator itself must reject what the API server would prune or refuse, or the schema tests
// of the program prove nothing.
describe("CRD schema validation (the checker itself)", { skip: !crdSetsAvailable() }, () => {
    for (const set of CRD_SETS) {
        const felix = crdValidator(set, FELIX_CRD_FILE, { partial: true });
        const installation = crdValidator(set, INSTALLATION_CRD_FILE, { partial: true });
        const felixObject = (spec: Record<string, unknown>) => ({
            apiVersion: "crd.projectcalico.org/v1",
            kind: "FelixConfiguration",
            metadata: { name: "default" },
            spec,
        });

        it(`${set.label}: rejects an unknown FelixConfiguration field`, () => {
            assert.equal(felix(felixObject({ bpfEnabledTypo: true })), false);
        });
        it(`${set.label}: rejects a wrong type and a value outside a pattern`, () => {
            assert.equal(felix(felixObject({ bpfKubeProxyIptablesCleanupEnabled: "no" })), false);
            assert.equal(felix(felixObject({ bpfExternalServiceMode: "Direct" })), false);
        });
        it(`${set.label}: applies Go's case-insensitive patterns as Calico does`, () => {
            assert.equal(felix(felixObject({ bpfExternalServiceMode: "dsr" })), true);
        });
        it(`${set.label}: rejects a linuxDataplane outside the enum`, () => {
            const object = {
                apiVersion: "operator.tigera.io/v1",
                kind: "Installation",
                metadata: { name: "default" },
                spec: { calicoNetwork: { linuxDataplane: "eBPF" } },
            };
            assert.equal(installation(object), false);
        });
    }

    it("tells the two sets apart: the AKS set lacks bpfKubeProxyHealthzPort", () => {
        const [latest, aks] = CRD_SETS.map((set) =>
            crdValidator(set, FELIX_CRD_FILE, { partial: true }),
        );
        const object = {
            apiVersion: "crd.projectcalico.org/v1",
            kind: "FelixConfiguration",
            metadata: { name: "default" },
            spec: { bpfKubeProxyHealthzPort: 0 },
        };
        assert.equal(latest?.(object), true);
        assert.equal(aks?.(object), false);
    });
});
