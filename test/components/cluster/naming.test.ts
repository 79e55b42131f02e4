import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dnsPrefixFor } from "../../../components/cluster/naming";

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
