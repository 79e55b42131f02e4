import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEvent } from "../harness/audit";
import { labWriteOf, writesInOrder } from "./audit-order";

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

describe("labWriteOf", () => {
    const coredns = (subresource?: string): AuditEvent =>
        ({
            verb: subresource === undefined ? "patch" : "update",
            requestURI: `/apis/apps/v1/namespaces/kube-system/deployments/coredns${subresource === undefined ? "" : `/${subresource}`}`,
            objectRef: {
                resource: "deployments",
                namespace: "kube-system",
                name: "coredns",
                ...(subresource === undefined ? {} : { subresource }),
            },
            responseStatus: { code: 200 },
        }) as AuditEvent;
    it("takes a patch of CoreDNS's Deployment for the restart, not the controller's status writes", () => {
        assert.equal(labWriteOf(coredns(), "lab"), "restartDns");
        assert.equal(labWriteOf(coredns("status"), "lab"), undefined);
    });
});
