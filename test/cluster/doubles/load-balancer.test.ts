import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LB_FINALIZER, loadBalancerReaction, loopbackAllocator } from "./load-balancer";

const service = (
    spec: Record<string, unknown>,
    metadata: Record<string, unknown> = {},
    status = {},
) => ({
    metadata: { name: "customer", namespace: "yaobank", ...metadata },
    spec,
    status,
});

describe("loadBalancerReaction (the cloud-provider service controller with Azure's EnsureLoadBalancer)", () => {
    it("a new LoadBalancer Service gets the cleanup finalizer and an ingress IP", () => {
        const reaction = loadBalancerReaction(
            service({ type: "LoadBalancer" }),
            () => "127.0.0.100",
        );
        assert.deepEqual(reaction, {
            finalizers: [LB_FINALIZER],
            loadBalancer: { ingress: [{ ip: "127.0.0.100" }] },
        });
    });

    it("one that has both already is left alone; its address is kept if the finalizer went missing", () => {
        const done = service(
            { type: "LoadBalancer" },
            { finalizers: [LB_FINALIZER] },
            { loadBalancer: { ingress: [{ ip: "127.0.0.101" }] } },
        );
        assert.equal(
            loadBalancerReaction(done, () => assert.fail("no new address")),
            undefined,
        );
        const noFinalizer = service(
            { type: "LoadBalancer" },
            {},
            { loadBalancer: { ingress: [{ ip: "127.0.0.101" }] } },
        );
        assert.deepEqual(loadBalancerReaction(noFinalizer, () => "127.0.0.200")?.loadBalancer, {
            ingress: [{ ip: "127.0.0.101" }],
        });
    });

    it("other types, and a loadBalancerClass (another controller's), get nothing", () => {
        assert.equal(
            loadBalancerReaction(service({ type: "NodePort" }), () => "x"),
            undefined,
        );
        assert.equal(
            loadBalancerReaction(
                service({ type: "LoadBalancer", loadBalancerClass: "other" }),
                () => "x",
            ),
            undefined,
        );
    });

    it("deleting, or no longer LoadBalancer: the finalizer goes (others stay) and the status is cleared", () => {
        const deleting = service(
            { type: "LoadBalancer" },
            { finalizers: ["other", LB_FINALIZER], deletionTimestamp: "2026-12-03T10:00:00Z" },
            { loadBalancer: { ingress: [{ ip: "127.0.0.100" }] } },
        );
        assert.deepEqual(
            loadBalancerReaction(deleting, () => "x"),
            { finalizers: ["other"], loadBalancer: {} },
        );
        const nodePort = service({ type: "NodePort" }, { finalizers: [LB_FINALIZER] });
        assert.deepEqual(
            loadBalancerReaction(nodePort, () => "x"),
            { finalizers: [], loadBalancer: {} },
        );
    });
});

describe("loopbackAllocator", () => {
    it("hands out distinct loopback addresses and says when it runs out", () => {
        const allocate = loopbackAllocator(253);
        assert.equal(allocate(), "127.0.0.253");
        assert.equal(allocate(), "127.0.0.254");
        assert.throws(allocate, /ran out/);
    });
});
