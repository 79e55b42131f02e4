import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    requireRunning,
    windowsPoolGetsAksDefault,
    windowsPoolOs,
    withoutPodCidrForAzureCni,
} from "../../../components/cluster/cluster-spec";

const transformArgs = (networkProfile: Record<string, unknown>) => ({
    custom: true,
    type: "azure-native:containerservice:ManagedCluster",
    name: "lab-aks",
    props: { location: "eastus", networkProfile },
    opts: {},
});

describe("withoutPodCidrForAzureCni", () => {
    it("drops the SDK's injected podCidr for plain Azure CNI and keeps the rest", () => {
        const result = withoutPodCidrForAzureCni(
            transformArgs({
                networkPlugin: "azure",
                networkPolicy: "calico",
                podCidr: "10.244.0.0/16",
            }),
        );
        assert.deepEqual(result?.props, {
            location: "eastus",
            networkProfile: { networkPlugin: "azure", networkPolicy: "calico" },
        });
    });

    it("keeps podCidr where AKS uses it: kubenet and Azure CNI overlay", () => {
        assert.equal(
            withoutPodCidrForAzureCni(
                transformArgs({ networkPlugin: "kubenet", podCidr: "10.244.0.0/16" }),
            ),
            undefined,
        );
        assert.equal(
            withoutPodCidrForAzureCni(
                transformArgs({
                    networkPlugin: "azure",
                    networkPluginMode: "overlay",
                    podCidr: "10.244.0.0/16",
                }),
            ),
            undefined,
        );
    });

    it("leaves resources without a network profile alone", () => {
        assert.equal(
            withoutPodCidrForAzureCni({ ...transformArgs({}), props: { location: "eastus" } }),
            undefined,
        );
    });
});

describe("windowsPoolOs", () => {
    it("pins Windows Server 2022 up to 1.36, where AKS still supports it", () => {
        for (const version of ["1.30", "1.33.2", "1.35", "1.36", "1.36.4"]) {
            assert.deepEqual(windowsPoolOs(version), { osSKU: "Windows2022" }, version);
        }
    });

    it("from 1.37, where 2022 is not supported, leaves the SKU to AKS with a FIPS image", () => {
        for (const version of ["1.37", "1.37.1", "1.40"]) {
            assert.deepEqual(windowsPoolOs(version), { enableFIPS: true }, version);
        }
    });

    it("does the same when the version is left to AKS, whose default moves on", () => {
        assert.deepEqual(windowsPoolOs(undefined), { enableFIPS: true });
    });
});

describe("requireRunning", () => {
    it("stops on a stopped cluster with the one command that starts it", () => {
        assert.throws(
            () => {
                requireRunning({ code: "Stopped" }, "lab-rg", "lab-aks");
            },
            (error: unknown) => {
                assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack");
                assert.equal(
                    error.message,
                    "AKS cluster lab-aks is stopped, and the lab reads and patches Calico through its API " +
                        "server: start it with `az aks start --resource-group lab-rg --name lab-aks` (a few " +
                        "minutes), then run this again",
                );
                return true;
            },
        );
    });

    it("lets a running cluster, or one whose state it cannot read, go on", () => {
        for (const state of [{ code: "Running" }, {}, undefined]) {
            assert.doesNotThrow(() => {
                requireRunning(state, "lab-rg", "lab-aks");
            });
        }
    });
});

describe("windowsPoolGetsAksDefault", () => {
    it("is true from 1.37 and when the version is left to AKS, false where the lab pins 2022", () => {
        assert.equal(windowsPoolGetsAksDefault("1.37"), true);
        assert.equal(windowsPoolGetsAksDefault(undefined), true);
        assert.equal(windowsPoolGetsAksDefault("1.36.4"), false);
        assert.equal(windowsPoolGetsAksDefault("1.32"), false);
    });
});
