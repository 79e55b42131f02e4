import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
    CLUSTER_FQDN,
    find,
    KUBECONFIG_TEXT,
    ofType,
    runProgram,
    runProgramRaw,
    type ProgramRun,
} from "../../support/program";

describe("AksCluster under mocks", () => {
    let run: ProgramRun;
    let stopped: unknown;
    before(async () => {
        [run, stopped] = await Promise.all([
            runProgram({
                nodeCount: "3",
                location: "westeurope",
                nodeVmSize: "Standard_D4s_v5",
                kubernetesVersion: "1.33",
            }),
            runProgramRaw({}, { powerState: "Stopped" }).then(
                (result) => result,
                (error: unknown) => error,
            ),
        ]);
    });

    it("reads the cluster's power state live, and reads the kubeconfig only of a running cluster", () => {
        const tokens = run.invokes.map((i) => i.token);
        const powerRead = tokens.indexOf("azure-native:containerservice:getManagedCluster");
        assert.ok(powerRead >= 0, tokens.join(", "));
        assert.deepEqual(run.invokes[powerRead]?.inputs, {
            resourceGroupName: "lab-rg-a1b2c3",
            resourceName: "lab-aks-d4e5f6",
        });
        assert.ok(
            powerRead <
                tokens.indexOf("azure-native:containerservice:listManagedClusterUserCredentials"),
        );
    });

    it("stops a preview of a stopped cluster in one line that says how to start it", () => {
        assert.ok(stopped instanceof Error, "the program did not stop");
        assert.match(
            stopped.message,
            /RunError: [^\n]*AKS cluster lab-aks-d4e5f6 is stopped, and the lab reads and patches Calico through its API server: start it with `az aks start --resource-group lab-rg-a1b2c3 --name lab-aks-d4e5f6` \(a few minutes\), then run this again/,
        );
        assert.match(stopped.message, /__pulumiRunError: true/);
    });

    it("puts the resource group in the configured region", () => {
        const group = find(run, "azure-native:resources:ResourceGroup");
        assert.equal(group.inputs["location"], "westeurope");
    });

    it("creates an Azure CNI cluster with Calico policy, standard LB, managed identity and RBAC", () => {
        const cluster = find(run, "azure-native:containerservice:ManagedCluster");
        const group = find(run, "azure-native:resources:ResourceGroup");
        assert.ok(cluster.dependencies.includes(group.urn));
        assert.equal(cluster.inputs["resourceGroupName"], "lab-rg-a1b2c3");
        assert.equal(cluster.inputs["location"], "westeurope");
        assert.equal(cluster.inputs["kubernetesVersion"], "1.33");
        assert.equal(cluster.inputs["dnsPrefix"], "aks-calico-lab-test");
        assert.deepEqual(cluster.inputs["identity"], { type: "SystemAssigned" });
        assert.equal(cluster.inputs["enableRBAC"], true);
        assert.deepEqual(cluster.inputs["networkProfile"], {
            networkPlugin: "azure",
            networkPolicy: "calico",
            loadBalancerSku: "standard",
            outboundType: "loadBalancer",
            dnsServiceIP: "10.0.0.10",
            serviceCidr: "10.0.0.0/16",
        });
    });

    it("has exactly one inline pool: the Linux system pool from config", () => {
        const cluster = find(run, "azure-native:containerservice:ManagedCluster");
        assert.deepEqual(cluster.inputs["agentPoolProfiles"], [
            {
                name: "system",
                mode: "System",
                osType: "Linux",
                type: "VirtualMachineScaleSets",
                vmSize: "Standard_D4s_v5",
                count: 3,
            },
        ]);
        assert.equal(ofType(run, "azure-native:containerservice:AgentPool").length, 0);
    });

    it("keeps the Windows admin password secret", () => {
        const cluster = find(run, "azure-native:containerservice:ManagedCluster");
        assert.equal(cluster.secretInputs, true);
        assert.deepEqual(cluster.inputs["windowsProfile"], {
            adminUsername: "azureuser",
            adminPassword: "Generated-Passw0rd!",
        });
    });

    it("reads the user kubeconfig of this cluster and exports it decoded and secret", () => {
        const invoke = run.invokes.find(
            (i) => i.token === "azure-native:containerservice:listManagedClusterUserCredentials",
        );
        assert.deepEqual(invoke?.inputs, {
            resourceGroupName: "lab-rg-a1b2c3",
            resourceName: "lab-aks-d4e5f6",
        });
        assert.equal(run.outputs["kubeconfig"], KUBECONFIG_TEXT);
        assert.ok(run.secretOutputs.includes("kubeconfig"));
    });

    it("builds an explicit Kubernetes provider from the kubeconfig, keyed on the cluster id", () => {
        const provider = find(run, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs["kubeconfig"], KUBECONFIG_TEXT);
        assert.equal(provider.secretInputs, true);
        assert.equal(provider.inputs["clusterIdentifier"], "lab-aks-id");
        assert.equal(provider.inputs["enableServerSideApply"], "true");
    });

    it("leaves deleteUnreachable off the provider, so only PULUMI_K8S_DELETE_UNREACHABLE (the destroy path) turns it on", () => {
        const provider = find(run, "pulumi:providers:kubernetes");
        assert.ok(!("deleteUnreachable" in provider.inputs), JSON.stringify(provider.inputs));
    });

    it("exports the names, the API server FQDN and the dataplane", () => {
        assert.equal(run.outputs["resourceGroupName"], "lab-rg-a1b2c3");
        assert.equal(run.outputs["clusterName"], "lab-aks-d4e5f6");
        assert.equal(run.outputs["apiServerFqdn"], CLUSTER_FQDN);
        assert.equal(run.outputs["dataplane"], "iptables");
        assert.ok(!run.secretOutputs.includes("apiServerFqdn"));
    });
});

describe("the Windows pool on each AKS line", () => {
    const poolOn = async (kubernetesVersion?: string) => {
        const run = await runProgram({
            windowsNodePool: "true",
            ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }),
        });
        return find(run, "azure-native:containerservice:AgentPool").inputs;
    };

    it("1.33 and 1.36: Windows Server 2022, pinned", async () => {
        for (const version of ["1.33", "1.36"]) {
            const pool = await poolOn(version);
            assert.equal(pool["osSKU"], "Windows2022", version);
            assert.equal(pool["enableFIPS"], undefined, version);
        }
    });

    it("1.37, where Windows Server 2022 is not supported, and the AKS default: AKS's SKU with a FIPS image", async () => {
        for (const version of ["1.37", undefined]) {
            const pool = await poolOn(version);
            assert.equal(pool["osType"], "Windows", String(version));
            assert.equal(pool["osSKU"], undefined, String(version));
            assert.equal(pool["enableFIPS"], true, String(version));
        }
    });
});
