import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../../../tools/cli/args";
import { kubeconfigApiServer } from "../../../../core/api-server";
import { calicoLine, renderPlan } from "../../../../tools/lab/plan/render";
import {
    parseSet,
    planSettings,
    SIMULATED_KUBECONFIG_HOST,
    stackFileValues,
} from "../../../../tools/lab/plan/settings";
import { programError, simulatedFelixCrdSpec } from "../../../../tools/lab/plan/simulate";
import { kubeProxyHealthzPortField } from "../../../../core/felix-schema";
import { kubeProxyHealthzPortFieldOf } from "../../../../core/calico-objects";
import { scratchDir } from "../../../support/scratch";

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
    it("names what the user typed: a misspelled key by its --set, with the --set to write instead", () => {
        assert.throws(
            () => parseSet("dataPlane=bpf"),
            (error: unknown) =>
                error instanceof UsageError &&
                error.message ===
                    "--set dataPlane=…: dataPlane is not a setting of this lab; did you mean --set dataplane=bpf?",
        );
    });
    it("takes no kubeconfig on the command line: it points at --kubeconfig FILE", () => {
        assert.throws(
            () => parseSet("existingKubeconfig=apiVersion: v1"),
            /--set existingKubeconfig would put the cluster's credentials on the command line: give the file with --kubeconfig FILE/,
        );
    });
    it("merges the stack file, then --set, over Pulumi.yaml's defaults, saying where each came from", () => {
        const dir = scratchDir("plan-settings-");
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
    it("stands a simulated kubeconfig in for an encrypted one, and says so", () => {
        const dir = scratchDir("plan-settings-");
        writeFileSync(
            join(dir, "Pulumi.lab.yaml"),
            "config:\n  aks-calico-lab:cluster: existing\n  aks-calico-lab:existingKubeconfig:\n    secure: AAABAJ2v\n",
        );
        const settings = planSettings(dir, "lab", []);
        assert.ok(!("error" in settings));
        // What the program parses is a kubeconfig (the old plan handed it "[secret]": "has no current-context").
        assert.deepEqual(kubeconfigApiServer(settings.config["existingKubeconfig"] ?? ""), {
            host: SIMULATED_KUBECONFIG_HOST,
            port: 443,
        });
        assert.deepEqual(settings.secretKeys, ["existingKubeconfig"]);
        assert.equal(settings.sources["existingKubeconfig"], "stack");
        assert.match(
            settings.simulated.join("\n"),
            /existingKubeconfig is encrypted in Pulumi\.lab\.yaml, and plan decrypts no secret offline: the cluster is a simulated one/,
        );
    });
    it("reads --kubeconfig FILE as cluster existing with that kubeconfig, a secret", () => {
        const dir = scratchDir("plan-settings-");
        const file = join(dir, "kubeconfig");
        writeFileSync(file, "apiVersion: v1\nkind: Config\n");
        const settings = planSettings(dir, "lab", [], file);
        assert.ok(!("error" in settings));
        assert.equal(settings.config["existingKubeconfig"], "apiVersion: v1\nkind: Config\n");
        assert.equal(settings.config["cluster"], "existing");
        assert.equal(settings.sources["cluster"], "--kubeconfig");
        assert.deepEqual(settings.secretKeys, ["existingKubeconfig"]);
        assert.deepEqual(settings.simulated, []);
        // An explicit --set cluster stays the user's.
        const aks = planSettings(dir, "lab", ["cluster=aks"], file);
        assert.ok(!("error" in aks));
        assert.equal(aks.config["cluster"], "aks");
        assert.throws(
            () => planSettings(dir, "lab", [], join(dir, "none")),
            /--kubeconfig .*: no such file/,
        );
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

describe("the program's error, as a plan shows it", () => {
    it("drops the SDK's serialization wrapping", () => {
        assert.equal(
            programError(
                new Error(
                    'error serializing property "triggers": error serializing property "outputs": AKS cluster rg/name reports no API server FQDN',
                ),
            ),
            "AKS cluster rg/name reports no API server FQDN",
        );
        assert.equal(programError("plain"), "plain");
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
        secretKeys: [],
        simulated: [],
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
    it("shows secrets as [secret] and says what else it simulates", () => {
        const text = renderPlan(
            {
                ...header,
                config: { existingKubeconfig: `server: https://${SIMULATED_KUBECONFIG_HOST}` },
                sources: { existingKubeconfig: "stack" },
                secretKeys: ["existingKubeconfig"],
                simulated: ["existingKubeconfig is encrypted"],
            },
            {
                resources: [
                    {
                        type: "kubernetes:core/v1:ConfigMapPatch",
                        name: "calico-services-endpoint",
                        inputs: { data: { KUBERNETES_SERVICE_HOST: SIMULATED_KUBECONFIG_HOST } },
                    },
                ],
                warnings: [],
            },
        );
        assert.match(text, /existingKubeconfig = \[secret\] {2}\(stack\)/);
        assert.match(text, /^SIMULATED: existingKubeconfig is encrypted\.$/m);
        assert.match(text, /"KUBERNETES_SERVICE_HOST":"<server of the encrypted kubeconfig>"/);
        assert.doesNotMatch(text, new RegExp(SIMULATED_KUBECONFIG_HOST.replaceAll(".", "\\.")));
    });
    it("calls only a line AKS ships AKS-managed", () => {
        assert.equal(calicoLine("3.30.4"), "AKS-managed Calico 3.30.4");
        for (const version of ["3.20.0", "4.0.0"])
            assert.match(
                calicoLine(version),
                new RegExp(`^Calico ${version}, a release no AKS line is known to ship`),
            );
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
