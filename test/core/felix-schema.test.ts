import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    AKS_DEFAULT_CALICO_VERSION,
    felixSpecFields,
    kubeProxyHealthzPortField,
    kubeProxyHealthzPortFieldOfCalico,
} from "../../core/felix-schema";
import { CRD_SETS, crdSet, crdSetsAvailable, FELIX_CRD_FILE, readCrd } from "../support/crd-schema";

const specOf = (label: string): unknown => readCrd(crdSet(label), FELIX_CRD_FILE).spec;

describe("kubeProxyHealthzPortField", () => {
    it("is none for a CRD whose schema is unknown or malformed", () => {
        assert.equal(kubeProxyHealthzPortField(undefined), undefined);
        assert.equal(kubeProxyHealthzPortField({ versions: "v1" }), undefined);
        assert.equal(kubeProxyHealthzPortField({ versions: [{ name: "v1" }] }), undefined);
    });

    it("prefers the stored version and reads its spec properties", () => {
        const version = (name: string, storage: boolean, field: string) => ({
            name,
            storage,
            schema: { openAPIV3Schema: { properties: { spec: { properties: { [field]: {} } } } } },
        });
        const crd = {
            versions: [
                version("v1", false, "bpfKubeProxyHealtzPort"),
                version("v2", true, "bpfKubeProxyHealthzPort"),
            ],
        };
        assert.equal(kubeProxyHealthzPortField(crd), "bpfKubeProxyHealthzPort");
        assert.deepEqual([...felixSpecFields(crd)], ["bpfKubeProxyHealthzPort"]);
    });
});

describe("kubeProxyHealthzPortFieldOfCalico", () => {
    it("follows the field's history: none, the misspelling in 3.30.4, the fixed spelling from 3.30.5", () => {
        assert.equal(kubeProxyHealthzPortFieldOfCalico("3.29.5"), undefined);
        assert.equal(kubeProxyHealthzPortFieldOfCalico("3.30.3"), undefined);
        assert.equal(kubeProxyHealthzPortFieldOfCalico("v3.30.4"), "bpfKubeProxyHealtzPort");
        assert.equal(kubeProxyHealthzPortFieldOfCalico("3.30.5"), "bpfKubeProxyHealthzPort");
        assert.equal(kubeProxyHealthzPortFieldOfCalico("3.31.0"), "bpfKubeProxyHealthzPort");
        assert.equal(kubeProxyHealthzPortFieldOfCalico("4.0.0"), "bpfKubeProxyHealthzPort");
        assert.equal(
            kubeProxyHealthzPortFieldOfCalico(AKS_DEFAULT_CALICO_VERSION),
            "bpfKubeProxyHealthzPort",
        );
    });
});

describe("kubeProxyHealthzPortField on every CRD set", { skip: !crdSetsAvailable() }, () => {
    it("finds the spelling each AKS line has, and none on 3.30.3", () => {
        assert.equal(kubeProxyHealthzPortField(specOf("aks-managed-calico-v3.30.3")), undefined);
        assert.equal(
            kubeProxyHealthzPortField(specOf("aks-managed-calico-v3.30.4")),
            "bpfKubeProxyHealtzPort",
        );
        assert.equal(
            kubeProxyHealthzPortField(specOf("aks-managed-calico-v3.31.2")),
            "bpfKubeProxyHealthzPort",
        );
        assert.equal(kubeProxyHealthzPortField(specOf("latest")), "bpfKubeProxyHealthzPort");
    });

    for (const set of CRD_SETS) {
        // The top-level set is Calico v3.32.1 (../shared/crds/PROVENANCE.md); the others name theirs.
        const version =
            set.label === "latest" ? "3.32.1" : set.label.replace(/^aks-managed-calico-v/, "");
        it(`${set.label}: the per-version fact the offline plan uses agrees with the CRD of Calico ${version}`, () => {
            assert.equal(
                kubeProxyHealthzPortFieldOfCalico(version),
                kubeProxyHealthzPortField(readCrd(set, FELIX_CRD_FILE).spec),
            );
        });
        it(`${set.label}: picks a field the CRD declares, or none when it declares neither spelling`, () => {
            const spec = readCrd(set, FELIX_CRD_FILE).spec;
            const fields = felixSpecFields(spec);
            assert.ok(fields.has("bpfEnabled"), "the schema's spec fields were read");
            const field = kubeProxyHealthzPortField(spec);
            if (field === undefined) {
                assert.ok(!fields.has("bpfKubeProxyHealthzPort"));
                assert.ok(!fields.has("bpfKubeProxyHealtzPort"));
            } else {
                assert.ok(fields.has(field));
            }
        });
    }
});
