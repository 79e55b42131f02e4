/**
 * The cluster tier's AKS-managed Calico fixture against every AKS line's real CRD schemas (the
 * fast suite: no Go, no cluster). The harness applies it with strict field validation on one line
 * at a time; this checks all of them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    describeErrors,
    INSTALLATION_CRD_FILE,
} from "../../support/crd-schema";
import { aksCalicoLine, installationSpec } from "./fixture";

const AKS_SETS = CRD_SETS.filter((set) => set.label.startsWith("aks-managed-calico-"));

describe("cluster tier fixture", { skip: !crdSetsAvailable() }, () => {
    it("names each AKS line's Calico and operator versions from PROVENANCE.md", () => {
        assert.deepEqual(aksCalicoLine("aks-managed-calico-v3.30.3"), {
            crdSet: "aks-managed-calico-v3.30.3",
            calicoVersion: "v3.30.3",
            operatorVersion: "v1.38.6",
        });
        assert.equal(aksCalicoLine("aks-managed-calico-v3.31.2").operatorVersion, "v1.40.2");
        assert.throws(() => aksCalicoLine("latest"), /not an AKS-managed Calico CRD set/);
    });

    for (const set of AKS_SETS) {
        it(`${set.label}: the Installation AKS applies validates against the line's CRD`, () => {
            const validate = crdValidator(set, INSTALLATION_CRD_FILE, { partial: false });
            const installation = {
                apiVersion: "operator.tigera.io/v1",
                kind: "Installation",
                metadata: { name: "default" },
                spec: installationSpec(),
            };
            assert.ok(validate(installation), describeErrors(validate));
        });
    }
});
