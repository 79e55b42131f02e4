import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { writesInOrder } from "./audit-order";

describe("the lab's writes in order", () => {
    it("hold when each expected write comes after the one before, whatever comes between", () => {
        assert.equal(
            writesInOrder(["endpoint", "ctlb", "felix", "installation"], ["ctlb", "installation"]),
            true,
        );
        // An up killed after the Felix patch, then the up that finishes: Felix's patch again.
        assert.equal(
            writesInOrder(
                ["endpoint", "ctlb", "felix", "felix", "installation", "restartDns"],
                ["endpoint", "ctlb", "felix", "installation", "restartDns"],
            ),
            true,
        );
        assert.equal(writesInOrder([], []), true);
    });
    it("fail when one is missing or out of order", () => {
        assert.equal(
            writesInOrder(["endpoint", "felix", "installation"], ["endpoint", "ctlb", "felix"]),
            false,
        );
        assert.equal(writesInOrder(["installation", "felix"], ["felix", "installation"]), false);
    });
});
