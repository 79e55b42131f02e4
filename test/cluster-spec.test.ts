import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutPodCidrForAzureCni } from "../components/cluster-spec";
import { dnsPrefixFor } from "../components/naming";

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

describe("dnsPrefixFor", () => {
    it("lowercases and replaces what Azure does not allow", () => {
        assert.equal(dnsPrefixFor("aks-calico-lab", "Dev_Team.1"), "aks-calico-lab-dev-team-1");
    });

    it("stays within 54 characters and ends with an alphanumeric", () => {
        const prefix = dnsPrefixFor("aks-calico-lab", `${"x".repeat(38)}-y`);
        assert.ok(prefix.length <= 54, prefix);
        assert.match(prefix, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    });
});
