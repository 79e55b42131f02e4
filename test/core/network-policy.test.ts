import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
    ingressAllowed,
    isolatingPolicies,
    selects,
    type LabelSelector,
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

describe("the evaluator: properties", () => {
    const target = { namespace: "ns", labels: { app: "web" } };
    const selector = fc.constantFrom<LabelSelector>(
        {},
        { matchLabels: { app: "web" } },
        { matchLabels: { app: "db" } },
    );
    const port = fc.oneof(
        fc.record({ port: fc.integer({ min: 1, max: 100 }) }),
        fc
            .tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 20 }))
            .map(([start, width]) => ({ port: start, endPort: start + width })),
    );
    const peer = fc.oneof(
        fc
            .constantFrom("10.0.0.0/8", "203.0.113.0/24", "0.0.0.0/0")
            .map((cidr) => ({ ipBlock: { cidr } })),
        selector.map((podSelector) => ({ podSelector })),
    );
    const rule = fc.record(
        { ports: fc.array(port, { maxLength: 2 }), from: fc.array(peer, { maxLength: 2 }) },
        { requiredKeys: [] },
    );
    const policy = fc.record({
        metadata: fc.constant({ name: "p", namespace: "ns" }),
        spec: fc.record({
            podSelector: selector,
            policyTypes: fc.constant(["Ingress"]),
            ingress: fc.array(rule, { maxLength: 3 }),
        }),
    });
    const source = fc.oneof(
        fc
            .constantFrom("10.1.2.3", "203.0.113.7", "198.51.100.1")
            .map((ip): Source => ({ kind: "ip", ip })),
        fc
            .constantFrom("web", "db", "api")
            .map((app): Source => ({ kind: "pod", namespace: "ns", labels: { app } })),
    );
    const connection = fc.integer({ min: 1, max: 120 }).map((p) => ({ port: p }));

    it("never denies more after an allow rule is added to a policy", () => {
        fc.assert(
            fc.property(
                fc.array(policy, { minLength: 1, maxLength: 3 }),
                fc.nat(),
                rule,
                source,
                connection,
                (policies, at, extra, from, to) => {
                    const index = at % policies.length;
                    const widened = policies.map((p, i) =>
                        i === index
                            ? { ...p, spec: { ...p.spec, ingress: [...p.spec.ingress, extra] } }
                            : p,
                    );
                    if (ingressAllowed(policies, target, from, to)) {
                        assert.ok(ingressAllowed(widened, target, from, to));
                    }
                },
            ),
        );
    });

    it("never denies more after a policy is added to a pod that is already isolated", () => {
        fc.assert(
            fc.property(
                fc.array(policy, { minLength: 1, maxLength: 3 }),
                policy,
                source,
                connection,
                (policies, added, from, to) => {
                    fc.pre(isolatingPolicies(policies, target).length > 0);
                    if (ingressAllowed(policies, target, from, to)) {
                        assert.ok(ingressAllowed([...policies, added], target, from, to));
                    }
                },
            ),
        );
    });

    it("counts a port range's endPort in, and the port after it out", () => {
        const ranged = [
            {
                metadata: { name: "p", namespace: "ns" },
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress"],
                    ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }],
                },
            },
        ];
        const from = { kind: "ip", ip: "10.1.2.3" } as const;
        assert.equal(ingressAllowed(ranged, target, from, { port: 8000 }), true);
        assert.equal(ingressAllowed(ranged, target, from, { port: 8080 }), true);
        assert.equal(ingressAllowed(ranged, target, from, { port: 8081 }), false);
        assert.equal(ingressAllowed(ranged, target, from, { port: 7999 }), false);
    });
});
