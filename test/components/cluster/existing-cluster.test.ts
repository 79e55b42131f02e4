import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
    EXISTING_AKS_FQDN,
    find,
    KUBE_SYSTEM_UID,
    KUBECONFIG_TEXT,
    ofType,
    runProgram,
    runProgramRaw,
    type ProgramRun,
} from "../../support/program";
import { assertKubeconfigOnlyInEnvironment, COMMAND, STEP } from "../../support/steps";

const PROVIDER = "pulumi:providers:kubernetes";
const KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: lab",
    "contexts: [{ name: lab, context: { cluster: lab, user: me } }]",
    "clusters: [{ name: lab, cluster: { server: 'https://10.0.0.1:6443' } }]",
    "users: [{ name: me, user: { token: s3cret-token } }]",
].join("\n");
const BY_KUBECONFIG = { cluster: "existing", existingKubeconfig: KUBECONFIG };
const SECRET = { secretKeys: ["existingKubeconfig"] };
const BY_AKS = { cluster: "existing", existingAksCluster: "platform-rg/aks-prod" };

const azureResources = (run: ProgramRun) =>
    run.registrations.filter(
        (r) => r.type.startsWith("azure-native:") || r.type.startsWith("random:"),
    );

describe("the lab on an existing cluster, under mocks", () => {
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        const [kubeconfig, kubeconfigBpf, aks, aksBpf, created] = await Promise.all([
            runProgram(BY_KUBECONFIG, SECRET),
            runProgram({ ...BY_KUBECONFIG, dataplane: "bpf" }, SECRET),
            runProgram(BY_AKS),
            runProgram({ ...BY_AKS, dataplane: "bpf" }),
            runProgram({}),
        ]);
        Object.assign(runs, { kubeconfig, kubeconfigBpf, aks, aksBpf, created });
    });

    it("creates no Azure resource, and no ComponentResource of the AKS cluster", () => {
        for (const name of ["kubeconfig", "kubeconfigBpf", "aks", "aksBpf"]) {
            const run = runs[name] as ProgramRun;
            assert.deepEqual(azureResources(run), [], name);
            assert.equal(ofType(run, "aks-calico-lab:index:AksCluster").length, 0);
            assert.equal(ofType(run, "aks-calico-lab:index:ExistingCluster").length, 1);
        }
    });

    it("kubeconfig: binds the one provider to it, as a secret, named by its API server", () => {
        const run = runs["kubeconfig"] as ProgramRun;
        const provider = find(run, PROVIDER);
        assert.equal(provider.inputs["kubeconfig"], KUBECONFIG);
        assert.equal(provider.secretInputs, true);
        assert.equal(provider.inputs["clusterIdentifier"], "10.0.0.1:6443");
        assert.equal(run.invokes.length, 0, "no Azure call for a kubeconfig");
        assert.ok(run.secretOutputs.includes("kubeconfig"));
        assert.equal(run.outputs["apiServer"], "10.0.0.1:6443");
        assert.equal(run.outputs["resourceGroupName"], undefined);
    });

    it("existingAksCluster: reads the cluster's FQDN and user credentials through azure-native's invokes", () => {
        const run = runs["aks"] as ProgramRun;
        const tokens = run.invokes.map((i) => i.token).sort();
        assert.deepEqual(tokens, [
            "azure-native:containerservice:getManagedCluster",
            "azure-native:containerservice:listManagedClusterUserCredentials",
        ]);
        for (const invoke of run.invokes) {
            assert.equal(invoke.inputs["resourceGroupName"], "platform-rg");
            assert.equal(invoke.inputs["resourceName"], "aks-prod");
        }
        const provider = find(run, PROVIDER);
        assert.equal(provider.secretInputs, true);
        assert.equal(provider.inputs["clusterIdentifier"], `${EXISTING_AKS_FQDN}:443`);
        assert.equal(run.outputs["apiServer"], `${EXISTING_AKS_FQDN}:443`);
    });

    it("points calico-node at the cluster's own API server: an AKS FQDN on 443, a kubeconfig's server on its port", () => {
        const data = (run: ProgramRun) =>
            find(run, "kubernetes:core/v1:ConfigMapPatch").inputs["data"];
        assert.deepEqual(data(runs["kubeconfigBpf"] as ProgramRun), {
            KUBERNETES_SERVICE_HOST: "10.0.0.1",
            KUBERNETES_SERVICE_PORT: "6443",
        });
        assert.deepEqual(data(runs["aksBpf"] as ProgramRun), {
            KUBERNETES_SERVICE_HOST: EXISTING_AKS_FQDN,
            KUBERNETES_SERVICE_PORT: "443",
        });
    });

    it("checks Calico once per cluster, failing at once on what is missing, keyed on kube-system's uid and the API server", () => {
        const run = runs["kubeconfig"] as ProgramRun;
        const identity = run.reads.find((r) => r.type === "kubernetes:core/v1:Namespace");
        assert.equal(identity?.id, "kube-system");
        assert.ok(identity.provider.startsWith(`${find(run, PROVIDER).urn}::`));
        const ready = find(run, COMMAND, "calico-ready");
        assert.equal(ready.inputs["create"], `${STEP} wait-calico --existing`);
        assert.deepEqual(ready.inputs["triggers"], [
            `kube-system/${KUBE_SYSTEM_UID}`,
            "10.0.0.1:6443",
        ]);
        const created = find(runs["created"] as ProgramRun, COMMAND, "calico-ready");
        assert.equal(created.inputs["create"], `${STEP} wait-calico`);
    });

    it("guards a destroy: deleted before every step and patch, it refuses while eBPF is live", () => {
        for (const name of ["kubeconfig", "kubeconfigBpf", "aks"]) {
            const run = runs[name] as ProgramRun;
            const guard = find(run, COMMAND, "calico-destroy-guard");
            assert.equal(guard.inputs["delete"], `${STEP} refuse-destroy-on-ebpf`);
            // Nothing runs on create or update, and nothing replaces it (which would run the check).
            assert.equal(guard.inputs["create"], undefined);
            assert.equal(guard.inputs["update"], undefined);
            assert.equal(guard.inputs["triggers"], undefined);
            assert.deepEqual(guard.options.replaceOnChanges, ["triggers[*]"]);
            assertKubeconfigOnlyInEnvironment(guard, name === "aks" ? KUBECONFIG_TEXT : KUBECONFIG);
            const restartDns = find(run, COMMAND, "calico-restart-dns");
            assert.ok(guard.dependencies.includes(restartDns.urn), "the last step");
        }
        assert.equal(
            ofType(runs["created"] as ProgramRun, COMMAND).filter(
                (r) => r.name === "calico-destroy-guard",
            ).length,
            0,
            "a cluster the lab created goes with the destroy",
        );
    });
});

describe("bad existing-cluster configuration", () => {
    it("refuses a kubeconfig stored in plain text before any resource is registered", async () => {
        const run = await runProgramRaw(BY_KUBECONFIG);
        assert.equal(run.errorIsRunError, true);
        assert.match(run.error ?? "", /existingKubeconfig is stored in plain text/);
        assert.ok(!(run.error ?? "").includes("s3cret-token"));
        assert.equal((run.error ?? "").split("\n").length, 1);
        assert.equal(run.registrations.length, 0);
    });

    it("stops in one line when the named AKS cluster is stopped, naming the command that starts it", async () => {
        // As for a cluster the lab created (test/components/cluster/aks-cluster.test.ts): the
        // RunError ends the program from inside an invoke's inputs.
        const stopped = await runProgramRaw(BY_AKS, { powerState: "Stopped" }).then(
            (run) => new Error(run.error),
            (error: unknown) => error,
        );
        assert.ok(stopped instanceof Error);
        assert.match(
            stopped.message,
            /AKS cluster aks-prod is stopped, and the lab reads and patches Calico through its API server: start it with `az aks start --resource-group platform-rg --name aks-prod`/,
        );
    });

    it("refuses existing with no cluster named, in one line", async () => {
        const run = await runProgramRaw({ cluster: "existing" });
        assert.equal(run.errorIsRunError, true);
        assert.match(run.error ?? "", /cluster is "existing" but names no cluster/);
        assert.equal(run.registrations.length, 0);
    });
});
