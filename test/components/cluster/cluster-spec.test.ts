import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutPodCidrForAzureCni } from "../../../components/cluster/cluster-spec";

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
