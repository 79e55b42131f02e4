import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { yaobankNetworkPolicies } from "../../../components/yaobank/yaobank-policies";
import { clientAllowed, policyFacts } from "../../../tools/verify/policy-facts";

describe("policyFacts", () => {
    it("reads the allow-list out of the customer policy, without the health-probe source", () => {
        const policies = yaobankNetworkPolicies({
            allowedClientCidrs: ["203.0.113.0/24", "2001:db8::/48"],
        });
        assert.deepEqual(policyFacts(policies), {
            names: [
                "customer-from-clients",
                "database-from-summary",
                "default-deny-ingress",
                "summary-from-customer",
            ],
            allowList: ["203.0.113.0/24", "2001:db8::/48"],
        });
        assert.equal(clientAllowed(policies, "203.0.113.9"), true);
        assert.equal(clientAllowed(policies, "198.51.100.9"), false);
    });

    it("sees an open page without an allow-list, or without any policy", () => {
        assert.equal(
            policyFacts(yaobankNetworkPolicies({ allowedClientCidrs: undefined })).allowList,
            undefined,
        );
        assert.deepEqual(policyFacts([]), { names: [], allowList: undefined });
        assert.equal(clientAllowed([], "198.51.100.9"), true);
    });
});
