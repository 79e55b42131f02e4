import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DATAPLANES, type Dataplane } from "../../../core/dataplane";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    describeErrors,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
} from "../../support/crd-schema";
import {
    CLUSTER_FQDN,
    find,
    KUBECONFIG_TEXT,
    runProgram,
    type ProgramRun,
    type Registration,
} from "../../support/program";

const FELIX_PATCH = "kubernetes:crd.projectcalico.org/v1:FelixConfigurationPatch";
const INSTALLATION_PATCH = "kubernetes:operator.tigera.io/v1:InstallationPatch";
const CONFIGMAP_PATCH = "kubernetes:core/v1:ConfigMapPatch";
const COMMAND = "command:local:Command";
const ANNOTATIONS = {
    "pulumi.com/patchFieldManager": "aks-calico-lab",
    "pulumi.com/patchForce": "true",
};

type Switch = Record<
    "endpoint" | "ready" | "felix" | "installation" | "wait" | "restartDns",
    Registration
>;

const switchOf = (run: ProgramRun): Switch => ({
    endpoint: find(run, CONFIGMAP_PATCH),
    ready: find(run, COMMAND, "calico-ready"),
    felix: find(run, FELIX_PATCH),
    installation: find(run, INSTALLATION_PATCH),
    wait: find(run, COMMAND, "calico-wait"),
    restartDns: find(run, COMMAND, "calico-restart-dns"),
});

/** Whether `later` waits for `earlier`, directly or through other resources of the run. */
function waitsFor(run: ProgramRun, later: Registration, earlier: Registration): boolean {
    const byUrn = new Map(run.registrations.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [...later.dependencies];
    while (stack.length > 0) {
        const urn = stack.pop() as string;
        if (urn === earlier.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        stack.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
}

describe("CalicoDataplane under mocks", () => {
    const runs = {} as Record<Dataplane, ProgramRun>;
    before(async () => {
        const [iptables, bpf] = await Promise.all([
            runProgram({ dataplane: "iptables", wireguard: "true" }),
            runProgram({ dataplane: "bpf", bpfExternalServiceMode: "DSR" }),
        ]);
        Object.assign(runs, { iptables, bpf });
    });

    for (const dataplane of DATAPLANES) {
        it(`${dataplane}: upserts tigera-operator/kubernetes-services-endpoint with the API server FQDN`, () => {
            const { endpoint } = switchOf(runs[dataplane]);
            assert.deepEqual(endpoint.inputs, {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: {
                    name: "kubernetes-services-endpoint",
                    namespace: "tigera-operator",
                    annotations: ANNOTATIONS,
                },
                data: { KUBERNETES_SERVICE_HOST: CLUSTER_FQDN, KUBERNETES_SERVICE_PORT: "443" },
            });
        });

        it(`${dataplane}: patches Installation default with linuxDataplane only, forced, with a stable field manager`, () => {
            const { installation } = switchOf(runs[dataplane]);
            assert.deepEqual(installation.inputs, {
                apiVersion: "operator.tigera.io/v1",
                kind: "Installation",
                metadata: { name: "default", annotations: ANNOTATIONS },
                spec: {
                    calicoNetwork: { linuxDataplane: dataplane === "bpf" ? "BPF" : "Iptables" },
                },
            });
        });

        it(`${dataplane}: runs the wait and the DNS restart through the project's helper, keyed on the dataplane`, () => {
            const { wait, restartDns } = switchOf(runs[dataplane]);
            assert.equal(
                wait.inputs["create"],
                `node --import tsx tools/cluster-step/cluster-step.ts wait-dataplane ${dataplane}`,
            );
            assert.equal(
                restartDns.inputs["create"],
                "node --import tsx tools/cluster-step/cluster-step.ts restart kube-system/coredns",
            );
            for (const step of [wait, restartDns]) {
                assert.deepEqual(step.inputs["triggers"], [dataplane]);
                assert.deepEqual(step.inputs["environment"], { LAB_KUBECONFIG: KUBECONFIG_TEXT });
                assert.equal(
                    step.secretInputs,
                    true,
                    `${step.name} must receive the kubeconfig as a secret`,
                );
                assert.ok(!String(step.inputs["create"]).includes("kind: Config"));
                // Only a flip (a trigger change: replacement) reruns the step, not a refreshed kubeconfig.
                assert.equal(step.inputs["update"], "exit 0");
                assert.equal(step.inputs["delete"], undefined);
            }
        });

        it(`${dataplane}: exports the dataplane it switched to`, () => {
            assert.equal(runs[dataplane].outputs["dataplane"], dataplane);
        });

        it(
            `${dataplane}: sends Calico only fields both CRD schema sets declare`,
            { skip: !crdSetsAvailable() },
            () => {
                const { felix, installation } = switchOf(runs[dataplane]);
                for (const set of CRD_SETS) {
                    const validFelix = crdValidator(set, FELIX_CRD_FILE, { partial: true });
                    const validInstallation = crdValidator(set, INSTALLATION_CRD_FILE, {
                        partial: true,
                    });
                    assert.ok(
                        validFelix(felix.inputs),
                        `${set.label}: ${describeErrors(validFelix)}`,
                    );
                    assert.ok(
                        validInstallation(installation.inputs),
                        `${set.label}: ${describeErrors(validInstallation)}`,
                    );
                }
            },
        );
    }

    it("waits once, on the first up, for Calico to be up before patching it", () => {
        for (const run of Object.values(runs)) {
            const { ready } = switchOf(run);
            assert.equal(
                ready.inputs["create"],
                "node --import tsx tools/cluster-step/cluster-step.ts wait-calico",
            );
            assert.deepEqual(ready.inputs["triggers"], []);
            assert.equal(ready.inputs["update"], "exit 0");
            assert.equal(ready.secretInputs, true);
        }
    });

    it("bpf: Felix gets the eBPF settings, from config, and never bpfEnabled", () => {
        const { felix } = switchOf(runs.bpf);
        assert.deepEqual(felix.inputs, {
            apiVersion: "crd.projectcalico.org/v1",
            kind: "FelixConfiguration",
            metadata: { name: "default", annotations: ANNOTATIONS },
            spec: {
                bpfKubeProxyIptablesCleanupEnabled: false,
                bpfExternalServiceMode: "DSR",
                bpfDataIfacePattern: "^((en|wl|ww|sl|ib)[opsx].*|(eth|wlan|wwan|bond).*)",
                wireguardEnabled: false,
            },
        });
    });

    it("iptables: Felix keeps only wireguardEnabled from config, relinquishing the eBPF settings", () => {
        const { felix } = switchOf(runs.iptables);
        assert.deepEqual(felix.inputs["spec"], { wireguardEnabled: true });
    });

    it("bpf: endpoint and Felix settings, then the Installation, then the wait, then the DNS restart", () => {
        const run = runs.bpf;
        const s = switchOf(run);
        assert.ok(s.ready.dependencies.includes(s.endpoint.urn));
        assert.ok(s.felix.dependencies.includes(s.ready.urn));
        assert.ok(s.installation.dependencies.includes(s.felix.urn));
        assert.ok(s.wait.dependencies.includes(s.installation.urn));
        assert.ok(s.restartDns.dependencies.includes(s.wait.urn));
        assert.ok(
            !waitsFor(run, s.felix, s.installation),
            "Felix must not wait for the Installation",
        );
        assert.ok(!waitsFor(run, s.installation, s.wait));
    });

    it("iptables: the Installation first, then the wait, then Felix, then the DNS restart", () => {
        const run = runs.iptables;
        const s = switchOf(run);
        assert.ok(s.ready.dependencies.includes(s.endpoint.urn));
        assert.ok(s.installation.dependencies.includes(s.ready.urn));
        assert.ok(s.wait.dependencies.includes(s.installation.urn));
        assert.ok(s.felix.dependencies.includes(s.wait.urn));
        assert.ok(s.restartDns.dependencies.includes(s.felix.urn));
        assert.ok(
            !waitsFor(run, s.installation, s.felix),
            "the Installation must not wait for Felix",
        );
    });

    it("keeps resource names the same in both directions, so a flip updates rather than replaces", () => {
        const names = (run: ProgramRun) => run.registrations.map((r) => r.urn).sort();
        assert.deepEqual(names(runs.bpf), names(runs.iptables));
    });

    it("sends all of it through the cluster's provider, under the CalicoDataplane component", () => {
        for (const run of Object.values(runs)) {
            const provider = find(run, "pulumi:providers:kubernetes");
            const s = switchOf(run);
            for (const patch of [s.endpoint, s.felix, s.installation]) {
                assert.ok(patch.provider.startsWith(`${provider.urn}::`));
            }
            for (const step of Object.values(s)) {
                assert.match(step.urn, /::aks-calico-lab:index:CalicoDataplane\$/);
            }
        }
    });
});
