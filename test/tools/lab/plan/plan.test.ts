import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../../../tools/cli/args";
import { renderPlan } from "../../../../tools/lab/plan/render";
import { parseSet, planSettings, stackFileValues } from "../../../../tools/lab/plan/settings";
import { simulatedFelixCrdSpec } from "../../../../tools/lab/plan/simulate";
import { kubeProxyHealthzPortField } from "../../../../core/felix-schema";
import { kubeProxyHealthzPortFieldOf } from "../../../../core/calico-objects";

describe("the plan's settings", () => {
    it("reads the project's keys of a stack file, secrets left encrypted", () => {
        assert.deepEqual(
            stackFileValues(
                [
                    "config:",
                    "  aks-calico-lab:dataplane: bpf",
                    "  aks-calico-lab:allowedClientCidrs: [203.0.113.0/24]",
                    "  aks-calico-lab:nodeVmSize: { secure: AAAB }",
                    "  azure-native:location: westeurope",
                ].join("\n"),
            ),
            { dataplane: "bpf", allowedClientCidrs: ["203.0.113.0/24"], nodeVmSize: "[secret]" },
        );
        assert.deepEqual(stackFileValues(""), {});
    });
    it("takes --set KEY=VALUE, a list key as JSON, and refuses anything else", () => {
        assert.deepEqual(parseSet("dataplane=bpf"), ["dataplane", "bpf"]);
        assert.deepEqual(parseSet("aks-calico-lab:nodeCount=3"), ["nodeCount", "3"]);
        assert.deepEqual(parseSet("kubernetesVersion="), ["kubernetesVersion", ""]);
        assert.deepEqual(parseSet('allowedClientCidrs=["203.0.113.0/24"]'), [
            "allowedClientCidrs",
            ["203.0.113.0/24"],
        ]);
        for (const bad of [
            "dataplane",
            "=bpf",
            "azure-native:location=x",
            "allowedClientCidrs=1.2.3.4/32",
        ])
            assert.throws(() => parseSet(bad), UsageError, bad);
    });
    it("merges the stack file, then --set, over Pulumi.yaml's defaults, saying where each came from", () => {
        const dir = mkdtempSync(join(tmpdir(), "plan-settings-"));
        writeFileSync(
            join(dir, "Pulumi.lab.yaml"),
            "config:\n  aks-calico-lab:dataplane: bpf\n  aks-calico-lab:nodeCount: '3'\n",
        );
        const settings = planSettings(dir, "lab", ["nodeCount=4"]);
        assert.ok(!("error" in settings));
        assert.equal(settings.config["dataplane"], "bpf");
        assert.equal(settings.config["nodeCount"], "4");
        assert.equal(settings.config["location"], "eastus");
        assert.deepEqual(
            [
                settings.sources["dataplane"],
                settings.sources["nodeCount"],
                settings.sources["location"],
            ],
            ["stack", "--set", "default"],
        );
        const fresh = planSettings(dir, "fresh", []);
        assert.ok(!("error" in fresh) && !fresh.stackFile);
    });
});

describe("the simulated cluster", () => {
    it("answers the FelixConfiguration CRD read with the healthz field of the chosen line", () => {
        for (const version of ["3.29.5", "3.30.3", "3.30.4", "3.30.7", "3.31.2", "3.32.1"])
            assert.equal(
                kubeProxyHealthzPortField(simulatedFelixCrdSpec(version)) ?? "none",
                kubeProxyHealthzPortFieldOf(version),
                version,
            );
    });
});

describe("renderPlan", () => {
    const header = {
        stack: "dev",
        calicoVersion: "3.30.4",
        healthzField: "bpfKubeProxyHealtzPort",
        stackFile: true,
        config: { dataplane: "bpf" },
        sources: { dataplane: "--set" as const },
    };
    it("says the cluster is simulated, and prints patches, what a step runs and what the destroy guard runs when deleted", () => {
        const text = renderPlan(header, {
            resources: [
                {
                    type: "aks-calico-lab:index:CalicoDataplane",
                    name: "calico",
                    component: true,
                    inputs: {},
                },
                {
                    type: "kubernetes:operator.tigera.io/v1:InstallationPatch",
                    name: "calico-installation",
                    inputs: {
                        kind: "Installation",
                        spec: { calicoNetwork: { linuxDataplane: "BPF" } },
                    },
                },
                {
                    type: "command:local:Command",
                    name: "calico-wait",
                    inputs: { create: "node a.ts wait", update: "exit 0" },
                },
                {
                    type: "command:local:Command",
                    name: "calico-destroy-guard",
                    inputs: { delete: "node a.ts refuse", environment: "[secret]" },
                },
                {
                    type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                    name: "calico-felix-crd",
                    readId: "felixconfigurations.crd.projectcalico.org",
                    inputs: {},
                },
            ],
            warnings: ["a warning"],
        });
        assert.match(
            text,
            /SIMULATED: the cluster's answers are those AKS-managed Calico 3\.30\.4 would give \(its FelixConfiguration has bpfKubeProxyHealtzPort\)/,
        );
        assert.match(text, /dataplane = bpf {2}\(--set\)/);
        assert.match(text, /1\. component aks-calico-lab:index:CalicoDataplane {2}calico\n/);
        assert.match(
            text,
            /2\. kubernetes:operator.tigera.io\/v1:InstallationPatch {2}calico-installation\n {8}patch \(server-side apply\): \{"kind":"Installation","spec":\{"calicoNetwork":\{"linuxDataplane":"BPF"\}\}\}\n/,
        );
        assert.match(text, /3\. command:local:Command {2}calico-wait\n {8}runs: node a\.ts wait\n/);
        assert.match(
            text,
            /4\. command:local:Command {2}calico-destroy-guard\n {8}runs when deleted: node a\.ts refuse\n {3}5\./,
        );
        assert.match(
            text,
            /5\. read kubernetes:apiextensions.k8s.io\/v1:CustomResourceDefinition {2}calico-felix-crd\n {8}reads felixconfigurations/,
        );
        assert.match(text, /Warnings:\n {2}a warning\n\nErrors:\n {2}\(none\)\n$/);
    });
    it("ends with the error a preview would stop on", () => {
        const text = renderPlan(header, {
            resources: [],
            warnings: [],
            error: "invalid stack configuration: x",
        });
        assert.match(text, /\(none: the program stopped first\)/);
        assert.match(text, /Errors:\n {2}invalid stack configuration: x\n$/);
    });
});
