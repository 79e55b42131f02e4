import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostChanges } from "./host-state";

describe("the machine's own state, before and after a tier run", () => {
    it("names each reading that changed, and nothing when none did", () => {
        const before = { "pinned BPF objects": "", "tier cgroups": "" };
        assert.deepEqual(hostChanges(before, { ...before }), []);
        assert.deepEqual(
            hostChanges(before, { ...before, "tier cgroups": "aks-calico-lab-tier-1-2" }),
            ['tier cgroups: was "", now "aks-calico-lab-tier-1-2"'],
        );
    });
});
