import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DATAPLANES, type Dataplane } from "../../../core/dataplane";
import { kubeProxyHealthzPortFieldOf } from "../../../core/calico-objects";
import { kubeProxyHealthzPortField } from "../../../core/felix-schema";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    describeErrors,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
    readCrd,
    type CrdSet,
} from "../../support/crd-schema";
import {
    CLUSTER_FQDN,
    find,
    KUBECONFIG_TEXT,
    ofType,
    PATCH_APPLIED_AT,
    runProgram,
    runProgramRaw,
    type ProgramRun,
    type Registration,
} from "../../support/program";
import { assertKubeconfigOnlyInEnvironment, COMMAND, STEP } from "../../support/steps";
import { installationEditedAt, installationMetadata } from "../../support/managed-fields";
import { TAKEN_BACK_ANNOTATION } from "../../../components/calico/calico-spec";
import { KEEP_LAST_OUTPUT } from "../../../components/calico/cluster-step";

const FELIX_PATCH = "kubernetes:crd.projectcalico.org/v1:FelixConfigurationPatch";
const INSTALLATION_PATCH = "kubernetes:operator.tigera.io/v1:InstallationPatch";
const CONFIGMAP_PATCH = "kubernetes:core/v1:ConfigMapPatch";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const ANNOTATIONS = {
    "pulumi.com/patchFieldManager": "aks-calico-lab",
    "pulumi.com/patchForce": "true",
};

interface Switch {
    /** The endpoint ConfigMap: registered on the way to eBPF only. */
    readonly endpoint: Registration | undefined;
    readonly ready: Registration;
    readonly ctlb: Registration;
    readonly felix: Registration;
    readonly installation: Registration;
    readonly wait: Registration;
    readonly restartDns: Registration;
}

const switchOf = (run: ProgramRun): Switch => ({
    endpoint: ofType(run, CONFIGMAP_PATCH)[0],
    ready: find(run, COMMAND, "calico-ready"),
    ctlb: find(run, FELIX_PATCH, "calico-felix-ctlb"),
    felix: find(run, FELIX_PATCH, "calico-felix"),
    installation: find(run, INSTALLATION_PATCH),
    wait: find(run, COMMAND, "calico-wait"),
    restartDns: find(run, COMMAND, "calico-restart-dns"),
});
const waitCtlbOf = (run: ProgramRun): Registration[] =>
    ofType(run, COMMAND).filter((r) => r.name === "calico-wait-ctlb");

/**
 * A step runs again only when its triggers change (a replacement); any other change is an update,
 * which runs only what keeps the last output; the kubeconfig stays in its environment, a secret.
 */
function assertStep(step: Registration): void {
    assert.deepEqual(step.options.replaceOnChanges, ["triggers[*]"], step.name);
    assert.equal(step.inputs["update"], KEEP_LAST_OUTPUT, step.name);
    assert.equal(step.inputs["delete"], undefined, step.name);
    assertKubeconfigOnlyInEnvironment(step, KUBECONFIG_TEXT);
}

/** Whether `later` waits for `earlier`, directly or through other resources of the run. */
function waitsFor(run: ProgramRun, later: Registration, earlier: { urn: string }): boolean {
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

/** Asserts each resource waits directly for the one before it. */
function assertChain(run: ProgramRun, chain: readonly Registration[]): void {
    for (const [i, resource] of chain.entries()) {
        const previous = chain[i - 1];
        if (previous === undefined) continue;
        assert.ok(
            resource.dependencies.includes(previous.urn),
            `${resource.name} must wait for ${previous.name}`,
        );
        assert.ok(
            !waitsFor(run, previous, resource),
            `${previous.name} must not wait for ${resource.name}`,
        );
    }
}

function assertValidAgainst(set: CrdSet, felixObjects: Registration[], installation: Registration) {
    const validFelix = crdValidator(set, FELIX_CRD_FILE, { partial: true });
    const validInstallation = crdValidator(set, INSTALLATION_CRD_FILE, { partial: true });
    for (const felix of felixObjects) {
        assert.ok(
            validFelix(felix.inputs),
            `${set.label} ${felix.name}: ${describeErrors(validFelix)}`,
        );
    }
    assert.ok(
        validInstallation(installation.inputs),
        `${set.label}: ${describeErrors(validInstallation)}`,
    );
}

describe("CalicoDataplane under mocks", () => {
    const runs = {} as Record<Dataplane, ProgramRun>;
    let noApplyTime: Promise<unknown> = Promise.resolve();
    before(async () => {
        // Started with the others, so the machine runs the three programs at once.
        noApplyTime = runProgramRaw({ dataplane: "iptables" }, { patchAppliedAt: "" }).then(
            (run) => run,
            (error: unknown) => error,
        );
        const [iptables, bpf] = await Promise.all([
            runProgram({ dataplane: "iptables", wireguard: "true" }),
            runProgram({ dataplane: "bpf", bpfExternalServiceMode: "DSR" }),
        ]);
        Object.assign(runs, { iptables, bpf });
    });

    it("previews a first up whose patches are not applied yet: the steps' times are unknown, not an error", async () => {
        // The real provider previews a patch it has not applied with its inputs alone (cluster tier).
        const preview = await runProgramRaw(
            { dataplane: "iptables" },
            { preview: true, patchAppliedAt: "" },
        );
        assert.equal(preview.error, undefined);
        const steps = ofType(preview, COMMAND).filter((r) => r.name !== "calico-ready");
        assert.ok(steps.length > 0);
        for (const step of steps)
            assert.deepEqual(step.inputs["create"], { __pulumiUnknown: true }, step.name);
        // The provider knows a previewed step's id already, but not what it will print: the CRD
        // read keyed on the first step's stdout is sent with an unknown id, which the engine skips.
        const crdRead = preview.reads.find((r) => r.type === CRD);
        assert.equal(crdRead?.id, pulumi.runtime.unknownValue);
    });

    it("stops with a RunError, not a step with an empty --since, when the patch's apply time is missing", async () => {
        const outcome = await noApplyTime;
        // The RunError ends the program as it would end `pulumi up`, before a step gets an empty --since.
        assert.ok(outcome instanceof Error, "the program did not stop");
        assert.match(
            outcome.message,
            /RunError: [^\n]*spec\.bpfConnectTimeLoadBalancing of FelixConfiguration patch calico-felix-ctlb: the lab's apply carries no time \(""\)[^\n]*--target-replace/,
        );
        // Still a RunError once the SDK has prefixed where it met it, so the CLI prints no stack.
        assert.match(outcome.message, /__pulumiRunError: true/);
        assert.doesNotMatch(outcome.message, /--since(?: |$)(?!\d)/m);
    });

    it("applies linuxDataplane again when another manager took it, and keeps saying so until the next edit", async () => {
        const edited = installationEditedAt("2026-12-06T16:30:00Z");
        const [drifted, kept] = await Promise.all([
            runProgram({ dataplane: "bpf" }, { installationMetadata: edited }),
            runProgram(
                { dataplane: "bpf" },
                {
                    installationMetadata: {
                        ...installationMetadata(
                            "2026-12-06T16:31:00Z",
                            "2026-12-06T16:31:05Z",
                            "7",
                        ),
                        annotations: {
                            [TAKEN_BACK_ANNOTATION]:
                                "kubectl-edit (Update) at 2026-12-06T16:30:00Z",
                        },
                    },
                },
            ),
        ]);
        for (const run of [drifted, kept]) {
            const { installation } = switchOf(run);
            assert.deepEqual(installation.inputs["metadata"], {
                name: "default",
                annotations: {
                    ...ANNOTATIONS,
                    [TAKEN_BACK_ANNOTATION]: "kubectl-edit (Update) at 2026-12-06T16:30:00Z",
                },
            });
        }
        // The Installation is read on every run, once Calico is known to be up.
        const read = drifted.reads.find(
            (r) => r.type === "kubernetes:operator.tigera.io/v1:Installation",
        );
        assert.equal(read?.id, "default");
    });

    for (const dataplane of DATAPLANES) {
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

        it(`${dataplane}: deletes a replaced patch before its successor applies, so it cannot take back its fields`, () => {
            const s = switchOf(runs[dataplane]);
            for (const patch of [s.ctlb, s.felix, s.installation]) {
                assert.equal(patch.options.deleteBeforeReplace, true, patch.name);
            }
        });

        it(`${dataplane}: waits and restarts DNS since the Installation patch's apply, keyed on it`, () => {
            const { wait, restartDns } = switchOf(runs[dataplane]);
            assert.equal(
                wait.inputs["create"],
                `${STEP} wait-dataplane ${dataplane} --since ${PATCH_APPLIED_AT}`,
            );
            assert.equal(
                restartDns.inputs["create"],
                `${STEP} restart kube-system/coredns --since ${PATCH_APPLIED_AT}`,
            );
            for (const step of [wait, restartDns]) {
                assert.deepEqual(step.inputs["triggers"], [dataplane, PATCH_APPLIED_AT]);
                assertStep(step);
            }
        });

        it(`${dataplane}: exports the dataplane it switched to`, () => {
            assert.equal(runs[dataplane].outputs["dataplane"], dataplane);
        });

        it(
            `${dataplane}: sends Calico only fields every CRD schema set declares`,
            { skip: !crdSetsAvailable() },
            () => {
                const s = switchOf(runs[dataplane]);
                for (const set of CRD_SETS)
                    assertValidAgainst(set, [s.ctlb, s.felix], s.installation);
            },
        );
    }

    it("bpf: upserts tigera-operator/kubernetes-services-endpoint first, retained on delete", () => {
        const { endpoint, ctlb } = switchOf(runs.bpf);
        assert.deepEqual(endpoint?.inputs, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: {
                name: "kubernetes-services-endpoint",
                namespace: "tigera-operator",
                annotations: ANNOTATIONS,
            },
            data: { KUBERNETES_SERVICE_HOST: CLUSTER_FQDN, KUBERNETES_SERVICE_PORT: "443" },
        });
        assert.equal(endpoint.options.retainOnDelete, true);
        assert.equal(endpoint.options.deleteBeforeReplace, true);
        assert.ok(ctlb.dependencies.includes(endpoint.urn));
    });

    it("iptables: registers no endpoint ConfigMap, whose creation would roll calico-node on an up that stays on iptables", () => {
        // Once written by a switch to eBPF it is retained on delete: leaving the program deletes nothing.
        assert.equal(switchOf(runs.iptables).endpoint, undefined);
        assert.equal(ofType(runs.iptables, CONFIGMAP_PATCH).length, 0);
    });

    it("waits once per cluster for Calico to be up, then reads the live Felix CRD, then patches", () => {
        for (const run of Object.values(runs)) {
            const { ready, endpoint, ctlb } = switchOf(run);
            assert.equal(ready.inputs["create"], `${STEP} wait-calico`);
            assert.deepEqual(ready.inputs["triggers"], ["lab-aks-id", `${CLUSTER_FQDN}:443`]);
            assertStep(ready);

            // The CRD, then the Installation (for its dataplane's holder), both once Calico is up.
            const [read, installationRead, ...more] = run.reads;
            assert.equal(more.length, 0);
            assert.equal(installationRead?.type, "kubernetes:operator.tigera.io/v1:Installation");
            assert.ok(installationRead.dependencies.includes(read?.urn ?? ""));
            assert.equal(read?.type, CRD);
            assert.equal(read.id, "felixconfigurations.crd.projectcalico.org");
            assert.ok(read.dependencies.includes(ready.urn), "the read must wait for Calico");
            const provider = find(run, "pulumi:providers:kubernetes");
            assert.ok(read.provider.startsWith(`${provider.urn}::`));
            // Nothing is patched before the read: a missing CRD stops the up there. Towards eBPF the
            // kernel guard comes between them, so a refusal stops it before any patch too.
            const first = endpoint ?? ctlb;
            const preflight = ofType(run, COMMAND).find((r) => r.name === "calico-ebpf-preflight");
            assert.equal(preflight !== undefined, endpoint !== undefined);
            const before = preflight ?? read;
            assert.ok(
                first.dependencies.includes(before.urn),
                `${first.name} must wait for ${before.name}`,
            );
            if (preflight !== undefined) {
                assert.ok(preflight.dependencies.includes(read.urn));
                assert.equal(preflight.inputs["create"], `${STEP} preflight-ebpf`);
            }
            const patches = run.registrations.filter((r) => r.type.endsWith("Patch"));
            for (const patch of patches) assert.ok(waitsFor(run, patch, first) || patch === first);
        }
    });

    it("bpf: Felix gets the eBPF settings, from config, never bpfEnabled, and no healthz field the CRD lacks", () => {
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

    it("iptables: disables connect-time load balancing in a patch of its own, with the provider's own manager", () => {
        const { ctlb } = switchOf(runs.iptables);
        assert.deepEqual(ctlb.inputs, {
            apiVersion: "crd.projectcalico.org/v1",
            kind: "FelixConfiguration",
            metadata: { name: "default", annotations: { "pulumi.com/patchForce": "true" } },
            spec: { bpfConnectTimeLoadBalancing: "Disabled" },
        });
    });

    it("bpf: hands connect-time load balancing back (the patch carries no spec)", () => {
        const { ctlb } = switchOf(runs.bpf);
        assert.equal(ctlb.inputs["spec"], undefined);
        assert.deepEqual(ctlb.inputs["metadata"], {
            name: "default",
            annotations: { "pulumi.com/patchForce": "true" },
        });
    });

    it("iptables: waits for every Felix to detach connect-time load balancing, since that patch's apply", () => {
        const [waitCtlb, ...more] = waitCtlbOf(runs.iptables);
        assert.equal(more.length, 0);
        assert.equal(
            waitCtlb?.inputs["create"],
            `${STEP} wait-ctlb-detached --since ${PATCH_APPLIED_AT}`,
        );
        assert.deepEqual(waitCtlb.inputs["triggers"], ["iptables", PATCH_APPLIED_AT]);
        assertStep(waitCtlb);
        assert.equal(waitCtlbOf(runs.bpf).length, 0, "nothing to detach on the way to eBPF");
    });

    it("bpf: connect-time LB handed back, Felix settings, the Installation, the wait, the DNS restart", () => {
        const s = switchOf(runs.bpf);
        assert.ok(s.endpoint !== undefined);
        assertChain(runs.bpf, [s.endpoint, s.ctlb, s.felix, s.installation, s.wait, s.restartDns]);
    });

    it("iptables: connect-time LB disabled and detached while eBPF is live, then the Installation, the wait, Felix, DNS", () => {
        const run = runs.iptables;
        const s = switchOf(run);
        const [waitCtlb] = waitCtlbOf(run);
        assert.ok(waitCtlb !== undefined);
        assertChain(run, [s.ctlb, waitCtlb, s.installation, s.wait, s.felix, s.restartDns]);
    });

    it("keeps the patches the same in both directions, so a flip updates them rather than replacing them", () => {
        const patches = (run: ProgramRun) =>
            run.registrations
                .filter((r) => r.type.endsWith("Patch"))
                .map((r) => r.urn)
                .sort();
        assert.deepEqual(
            patches(runs.bpf).filter((urn) => !urn.endsWith("::calico-services-endpoint")),
            patches(runs.iptables),
        );
        const commands = (run: ProgramRun) =>
            ofType(run, COMMAND)
                .map((r) => r.name)
                .sort();
        assert.deepEqual(
            commands(runs.iptables).filter((name) => name !== "calico-wait-ctlb"),
            commands(runs.bpf).filter((name) => name !== "calico-ebpf-preflight"),
        );
    });

    it("sends all of it through the cluster's provider, under the CalicoDataplane component", () => {
        for (const run of Object.values(runs)) {
            const provider = find(run, "pulumi:providers:kubernetes");
            const s = switchOf(run);
            const patches = [s.ctlb, s.felix, s.installation, ...(s.endpoint ? [s.endpoint] : [])];
            for (const patch of patches) {
                assert.ok(patch.provider.startsWith(`${provider.urn}::`));
            }
            const steps = [s.ready, s.wait, s.restartDns, ...waitCtlbOf(run)];
            for (const step of [...patches, ...steps]) {
                assert.match(step.urn, /::aks-calico-lab:index:CalicoDataplane\$/);
            }
        }
    });
});

/** For a set added after this test: the healthz field its FelixConfiguration schema declares. */
function declaredHealthzField(set: CrdSet): string | undefined {
    const [version] = readCrd(set, FELIX_CRD_FILE).spec.versions;
    const spec = version?.schema.openAPIV3Schema["properties"] as
        { spec?: { properties?: Record<string, unknown> } } | undefined;
    const fields = Object.keys(spec?.spec?.properties ?? {});
    return ["bpfKubeProxyHealthzPort", "bpfKubeProxyHealtzPort"].find((f) => fields.includes(f));
}

describe(
    "CalicoDataplane on each AKS line (the Felix CRD read returns that line's CRD)",
    { skip: !crdSetsAvailable() },
    () => {
        // The program reads the Felix CRD only to ask kubeProxyHealthzPortField (calico-dataplane.ts
        // `felixCrd.spec.apply`): lines whose CRDs answer alike run alike. One run per answer, fed
        // the first such line's CRD, so a new line adds no run unless it brings a new answer.
        const answerOf = (set: CrdSet) =>
            kubeProxyHealthzPortField(readCrd(set, FELIX_CRD_FILE).spec) ?? "none";
        const runs = new Map<string, ProgramRun>();
        before(async () => {
            const firstOfEachAnswer = new Map<string, CrdSet>();
            for (const set of CRD_SETS) {
                const answer = answerOf(set);
                if (!firstOfEachAnswer.has(answer)) firstOfEachAnswer.set(answer, set);
            }
            const done = await Promise.all(
                [...firstOfEachAnswer.values()].map((set) =>
                    runProgram(
                        { dataplane: "bpf" },
                        { felixCrdFile: join(set.dir, FELIX_CRD_FILE) },
                    ),
                ),
            );
            [...firstOfEachAnswer.keys()].forEach((answer, i) =>
                runs.set(answer, done[i] as ProgramRun),
            );
        });

        for (const set of CRD_SETS) {
            it(`${set.label}: the bpf Felix patch moves the healthz port to 10258 under the CRD's spelling, or sends none`, () => {
                const run = runs.get(answerOf(set)) as ProgramRun;
                const spec = switchOf(run).felix.inputs["spec"] as Record<string, unknown>;
                const sent = Object.keys(spec).filter((k) => /^bpfKubeProxyHeal/.test(k));
                // What the product knows of the set's Calico release, and what its CRD declares, agree.
                const known = kubeProxyHealthzPortFieldOf(set.calicoVersion);
                const field = known === "none" ? undefined : known;
                assert.equal(field, declaredHealthzField(set));
                assert.deepEqual(sent, field === undefined ? [] : [field]);
                if (field !== undefined) assert.equal(spec[field], 10258);
            });

            it(`${set.label}: what the program sends validates against that line's CRDs`, () => {
                const s = switchOf(runs.get(answerOf(set)) as ProgramRun);
                assertValidAgainst(set, [s.ctlb, s.felix], s.installation);
            });
        }
    },
);
