import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import {
    applicableSchema,
    CRD_SETS,
    crdAjv,
    crdSet,
    crdSetsAvailable,
    crdValidator,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
    SHARED_CRDS,
    strictSchema,
    type Schema,
} from "./crd-schema";

/** Asserts that validating against the applicable part of `schema` answers as the whole does. */
function assertSameAnswers(schema: Schema, values: readonly unknown[]): void {
    const ajv = crdAjv();
    const whole = ajv.compile(schema);
    for (const value of values) {
        const part = ajv.compile(applicableSchema(schema, [value]));
        const label = JSON.stringify(value);
        assert.equal(part(value), whole(value), label);
        assert.deepEqual(part.errors, whole.errors, label);
    }
}

describe("applicableSchema: a CRD schema cut to the fields a value carries", () => {
    it("answers as the whole schema does through properties, items, maps, unions and required", () => {
        const closed = (properties: Schema, extra: Schema = {}): Schema => ({
            type: "object",
            properties,
            additionalProperties: false,
            ...extra,
        });
        const schema = closed({
            a: { type: "string" },
            list: { type: "array", items: closed({ x: { type: "integer" } }) },
            map: { type: "object", additionalProperties: closed({ y: { type: "boolean" } }) },
            either: { anyOf: [{ type: "integer" }, { type: "string", pattern: "^p" }] },
            needs: closed({ r: { type: "string" }, s: { type: "string" } }, { required: ["r"] }),
        });
        assertSameAnswers(schema, [
            {
                a: "s",
                list: [{ x: 1 }, {}],
                map: { k: { y: true } },
                either: "p",
                needs: { r: "v" },
            },
            { b: 1 },
            { a: 1, list: [{ x: 1 }, { x: "2" }] },
            { list: [{ z: 1 }] },
            { map: { k: { y: 1 }, l: { q: 1 } } },
            { either: true },
            { either: "q" },
            { needs: { s: "v" } },
            "not an object",
            [],
        ]);
    });

    it(
        "answers as the whole FelixConfiguration schema does on every set",
        { skip: !crdSetsAvailable() },
        () => {
            for (const set of CRD_SETS) {
                assertSameAnswers(strictSchema(set, FELIX_CRD_FILE, true), [
                    { spec: { bpfEnabled: true, bpfExternalServiceMode: "DSR" } },
                    { spec: { bpfEnabled: "yes", bpfKubeProxyHealthzPort: 10258 } },
                    { metadata: { name: "default" }, spec: { unknownField: 1 } },
                ]);
            }
        },
    );
});

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

    it("knows each set's Calico release: the subfolder's name, PROVENANCE.md's tag for the latest", () => {
        assert.equal(crdSet("latest").calicoVersion, "v3.32.1");
        assert.equal(crdSet("aks-managed-calico-v3.29.5").calicoVersion, "v3.29.5");
        assert.ok(CRD_SETS.every((set) => /^v\d+\.\d+\.\d+$/.test(set.calicoVersion ?? "")));
    });

    it("finds every set by listing the folder: the latest and each subfolder", () => {
        const subfolders = readdirSync(SHARED_CRDS, { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name)
            .sort();
        assert.ok(subfolders.length >= 3, subfolders.join(", "));
        assert.deepEqual(
            CRD_SETS.map((set) => set.label),
            ["latest", ...subfolders],
        );
    });

    it("tells the AKS lines apart by the kube-proxy healthz field and its spelling", () => {
        const felixWith = (field: string) => ({
            apiVersion: "crd.projectcalico.org/v1",
            kind: "FelixConfiguration",
            metadata: { name: "default" },
            spec: { [field]: 10258 },
        });
        const accepts = (label: string, field: string) =>
            crdValidator(crdSet(label), FELIX_CRD_FILE, { partial: true })(felixWith(field));
        assert.equal(accepts("latest", "bpfKubeProxyHealthzPort"), true);
        assert.equal(accepts("aks-managed-calico-v3.30.3", "bpfKubeProxyHealthzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.30.3", "bpfKubeProxyHealtzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.30.4", "bpfKubeProxyHealtzPort"), true);
        assert.equal(accepts("aks-managed-calico-v3.30.4", "bpfKubeProxyHealthzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.31.2", "bpfKubeProxyHealthzPort"), true);
        assert.equal(accepts("aks-managed-calico-v3.29.5", "bpfKubeProxyHealthzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.29.5", "bpfKubeProxyHealtzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.30.7", "bpfKubeProxyHealthzPort"), true);
        assert.equal(accepts("aks-managed-calico-v3.30.7", "bpfKubeProxyHealtzPort"), false);
        assert.equal(accepts("aks-managed-calico-v3.31.7", "bpfKubeProxyHealthzPort"), true);
    });
});
