import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    ingressAllowed,
    selects,
    type NetworkPolicyObject,
    type Source,
} from "../../core/network-policy";

const fromIp = (ip: string): Source => ({ kind: "ip", ip });

describe("the evaluator", () => {
    const policy = (spec: NetworkPolicyObject["spec"]): NetworkPolicyObject => ({
        metadata: { name: "p", namespace: "ns" },
        spec,
    });
    const target = { namespace: "ns", labels: { app: "web" } };

    it("lets everything into a pod that no policy selects", () => {
        assert.equal(
            ingressAllowed(
                [policy({ podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"] })],
                target,
                fromIp("1.2.3.4"),
                { port: 80 },
            ),
            true,
        );
    });

    it("isolates a selected pod: an empty policy denies", () => {
        assert.equal(
            ingressAllowed(
                [policy({ podSelector: {}, policyTypes: ["Ingress"] })],
                target,
                fromIp("1.2.3.4"),
                { port: 80 },
            ),
            false,
        );
        assert.equal(
            ingressAllowed([policy({ podSelector: {} })], target, fromIp("1.2.3.4"), { port: 80 }),
            false,
        );
    });

    it("reads ports, protocols and port ranges", () => {
        const p = policy({
            podSelector: {},
            ingress: [
                {
                    ports: [
                        { port: 80 },
                        { protocol: "UDP", port: 53 },
                        { port: 9000, endPort: 9010 },
                    ],
                },
            ],
        });
        assert.equal(ingressAllowed([p], target, fromIp("1.2.3.4"), { port: 80 }), true);
        assert.equal(
            ingressAllowed([p], target, fromIp("1.2.3.4"), { port: 80, protocol: "UDP" }),
            false,
        );
        assert.equal(
            ingressAllowed([p], target, fromIp("1.2.3.4"), { port: 53, protocol: "UDP" }),
            true,
        );
        assert.equal(ingressAllowed([p], target, fromIp("1.2.3.4"), { port: 9005 }), true);
        assert.equal(ingressAllowed([p], target, fromIp("1.2.3.4"), { port: 9011 }), false);
    });

    it("reads ipBlock with except, and keeps pods out of ipBlocks", () => {
        const p = policy({
            podSelector: {},
            ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
        });
        assert.equal(ingressAllowed([p], target, fromIp("10.2.3.4"), { port: 1 }), true);
        assert.equal(ingressAllowed([p], target, fromIp("10.1.3.4"), { port: 1 }), false);
        assert.equal(
            ingressAllowed([p], target, { kind: "pod", namespace: "ns", labels: {} }, { port: 1 }),
            false,
        );
    });

    it("limits a bare podSelector to the policy's namespace; a namespaceSelector widens it", () => {
        const same = policy({
            podSelector: {},
            ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }] }],
        });
        assert.equal(
            ingressAllowed(
                [same],
                target,
                { kind: "pod", namespace: "ns", labels: { app: "api" } },
                { port: 1 },
            ),
            true,
        );
        assert.equal(
            ingressAllowed(
                [same],
                target,
                { kind: "pod", namespace: "other", labels: { app: "api" } },
                { port: 1 },
            ),
            false,
        );
        const any = policy({
            podSelector: {},
            ingress: [
                { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "api" } } }] },
            ],
        });
        assert.equal(
            ingressAllowed(
                [any],
                target,
                { kind: "pod", namespace: "other", labels: { app: "api" } },
                { port: 1 },
            ),
            true,
        );
    });

    it("reads matchExpressions", () => {
        const labels = { app: "web", tier: "front" };
        assert.equal(
            selects(
                { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] },
                labels,
            ),
            true,
        );
        assert.equal(
            selects(
                { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] },
                labels,
            ),
            false,
        );
        assert.equal(
            selects({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels),
            true,
        );
        assert.equal(
            selects({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels),
            false,
        );
    });
});
