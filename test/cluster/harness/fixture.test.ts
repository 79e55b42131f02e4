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
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
} from "../../support/crd-schema";
import {
    aksCalicoLine,
    aksInstallationSpec,
    felixConfiguration,
    fixtureCrds,
    fixtureObjects,
    installationStatus,
} from "./fixture";

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
        it(`${set.label}: Installation and FelixConfiguration validate against the line's CRDs`, () => {
            const line = aksCalicoLine(set.label);
            const installation = fixtureObjects(line, "none").find(
                (o) => o.kind === "Installation",
            );
            assert.ok(installation);
            const validateInstallation = crdValidator(set, INSTALLATION_CRD_FILE, {
                partial: false,
            });
            const withStatus = { ...installation, status: installationStatus(line) };
            assert.ok(validateInstallation(withStatus), describeErrors(validateInstallation));
            const validateFelix = crdValidator(set, FELIX_CRD_FILE, { partial: false });
            assert.ok(validateFelix(felixConfiguration()), describeErrors(validateFelix));
        });

        it(`${set.label}: the Installation AKS applies, for the real operator, validates against the line's CRD`, () => {
            const installation = {
                apiVersion: "operator.tigera.io/v1",
                kind: "Installation",
                metadata: { name: "default" },
                spec: aksInstallationSpec(),
            };
            const validate = crdValidator(set, INSTALLATION_CRD_FILE, { partial: false });
            assert.ok(validate(installation), describeErrors(validate));
        });
    }

    it("for the real operator, lays down only what AKS does: nothing the operator renders or bootstraps", () => {
        const line = aksCalicoLine("aks-managed-calico-v3.31.2");
        const kinds = (operator: "none" | "real") =>
            fixtureObjects(line, operator).map((o) => `${o.kind}/${o.metadata.name}`);
        for (const rendered of [
            "Namespace/calico-system",
            "DaemonSet/calico-node",
            "FelixConfiguration/default",
        ]) {
            assert.ok(kinds("none").includes(rendered), rendered);
            assert.ok(!kinds("real").includes(rendered), rendered);
        }
        const crds = (operator: "none" | "real") =>
            fixtureCrds(line, operator).map((o) => o.metadata.name);
        assert.ok(crds("none").includes("tigerastatuses.operator.tigera.io"));
        assert.ok(!crds("real").includes("tigerastatuses.operator.tigera.io"));
    });

    it("renders calico-node with the bpffs volume in iptables mode from operator 1.40 only", () => {
        const volumes = (crdSet: string) => {
            const ds = fixtureObjects(aksCalicoLine(crdSet), "none").find(
                (o) => o.kind === "DaemonSet",
            ) as unknown as {
                spec: { template: { spec: { volumes: { name: string }[] } } };
            };
            return ds.spec.template.spec.volumes.map((v) => v.name);
        };
        assert.ok(volumes("aks-managed-calico-v3.31.2").includes("bpffs"));
        assert.ok(!volumes("aks-managed-calico-v3.30.3").includes("bpffs"));
    });
});
