import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    AKS_DEFAULT_CALICO_VERSION,
    felixSpecFields,
    isAksCalicoLine,
    kubeProxyHealthzPortField,
} from "../../core/felix-schema";
import { kubeProxyHealthzPortFieldOf } from "../../core/calico-objects";
import { CRD_SETS, crdSet, crdSetsAvailable, FELIX_CRD_FILE, readCrd } from "../support/crd-schema";

const specOf = (label: string): unknown => readCrd(crdSet(label), FELIX_CRD_FILE).spec;

describe("kubeProxyHealthzPortFieldOf (by Calico version)", () => {
    it("knows the rename at 3.30.5 and no field before 3.30.4", () => {
        assert.equal(kubeProxyHealthzPortFieldOf("v3.29.7"), "none");
        assert.equal(kubeProxyHealthzPortFieldOf("v3.30.3"), "none");
        assert.equal(kubeProxyHealthzPortFieldOf("v3.30.4"), "bpfKubeProxyHealtzPort");
        assert.equal(kubeProxyHealthzPortFieldOf("v3.30.5"), "bpfKubeProxyHealthzPort");
        assert.equal(kubeProxyHealthzPortFieldOf("3.31.0"), "bpfKubeProxyHealthzPort");
        assert.equal(kubeProxyHealthzPortFieldOf("v3.100.0"), "bpfKubeProxyHealthzPort");
        assert.equal(kubeProxyHealthzPortFieldOf("v4.0.0"), "bpfKubeProxyHealthzPort");
        assert.equal(
            kubeProxyHealthzPortFieldOf(AKS_DEFAULT_CALICO_VERSION),
            "bpfKubeProxyHealthzPort",
        );
    });
    it("does not guess for a version it cannot read", () => {
        assert.equal(kubeProxyHealthzPortFieldOf(undefined), undefined);
        assert.equal(kubeProxyHealthzPortFieldOf("master"), undefined);
    });
});

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

describe("kubeProxyHealthzPortField on every CRD set", { skip: !crdSetsAvailable() }, () => {
    it("finds the spelling each AKS line has, and none on 3.30.3", () => {
        assert.equal(kubeProxyHealthzPortField(specOf("aks-managed-calico-v3.29.5")), undefined);
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
        for (const patchDrift of ["aks-managed-calico-v3.30.7", "aks-managed-calico-v3.31.7"]) {
            assert.equal(kubeProxyHealthzPortField(specOf(patchDrift)), "bpfKubeProxyHealthzPort");
        }
    });

    for (const set of CRD_SETS) {
        it(`${set.label}: the field the product expects of Calico ${set.calicoVersion ?? "?"} is the one its CRD declares`, () => {
            assert.ok(set.calicoVersion !== undefined, "the set's Calico version is known");
            const declared = kubeProxyHealthzPortField(readCrd(set, FELIX_CRD_FILE).spec);
            assert.equal(kubeProxyHealthzPortFieldOf(set.calicoVersion), declared ?? "none");
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

describe("isAksCalicoLine", () => {
    it("knows the lines AKS ships, every set in ../shared/crds among them, and no other", () => {
        const shipped = CRD_SETS.flatMap((set) =>
            set.label.startsWith("aks-managed-") && set.calicoVersion !== undefined
                ? [set.calicoVersion]
                : [],
        );
        for (const version of [AKS_DEFAULT_CALICO_VERSION, "3.29.5", "v3.30.4", ...shipped])
            assert.ok(isAksCalicoLine(version), version);
        for (const version of ["3.20.0", "4.0.0", "3.32.1", "3.3.0", "master"])
            assert.ok(!isAksCalicoLine(version), version);
    });
});
