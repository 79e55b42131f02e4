import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
    ingressAllowed,
    type NetworkPolicyObject,
    type PodRef,
    type Source,
} from "../../../core/network-policy";
import { schemaErrors } from "../../support/k8s-schema";
import { find, ofType, runProgram, type ProgramRun } from "../../support/program";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const pod = (app: string, namespace = "yaobank"): PodRef => ({
    namespace,
    labels: { app, version: "v1" },
});
const fromPod = (app: string, namespace = "yaobank"): Source => ({
    kind: "pod",
    ...pod(app, namespace),
});
const fromIp = (ip: string): Source => ({ kind: "ip", ip });
const emitted = (run: ProgramRun) =>
    ofType(run, NETWORK_POLICY).map((r) => r.inputs as unknown as NetworkPolicyObject);

describe("yaobank's policies as the program emits them", () => {
    const runs = {} as { open: ProgramRun; listed: ProgramRun; off: ProgramRun };
    before(async () => {
        const [open, listed, off] = await Promise.all([
            runProgram({}),
            runProgram({
                dataplane: "bpf",
                allowedClientCidrs: ["203.0.113.0/24", "2001:db8::/48"],
            }),
            runProgram({ yaobankPolicies: "false" }),
        ]);
        Object.assign(runs, { open, listed, off });
    });

    it("emits four policies in namespace yaobank, valid for the Kubernetes schema", async () => {
        for (const run of [runs.open, runs.listed]) {
            const policies = ofType(run, NETWORK_POLICY);
            assert.deepEqual(
                policies
                    .map((p) => (p.inputs as { metadata: { name: string } }).metadata.name)
                    .sort(),
                [
                    "customer-from-clients",
                    "database-from-summary",
                    "default-deny-ingress",
                    "summary-from-customer",
                ],
            );
            const ns = find(run, "kubernetes:core/v1:Namespace");
            for (const p of policies) {
                assert.equal(await schemaErrors(p.inputs), undefined, p.urn);
                assert.ok(p.dependencies.includes(ns.urn));
            }
        }
    });

    it("emits none when yaobankPolicies is false", () => {
        assert.equal(ofType(runs.off, NETWORK_POLICY).length, 0);
    });

    // (target, source, port) -> allowed, for each configuration.
    type Row = [string, PodRef, Source, number, boolean];
    const tiersTable: Row[] = [
        ["summary -> database:2379", pod("database"), fromPod("summary"), 2379, true],
        ["customer -> database:2379", pod("database"), fromPod("customer"), 2379, false],
        ["summary -> database:80", pod("database"), fromPod("summary"), 80, false],
        [
            "summary of another namespace -> database",
            pod("database"),
            fromPod("summary", "other"),
            2379,
            false,
        ],
        ["outside -> database", pod("database"), fromIp("203.0.113.7"), 2379, false],
        ["customer -> summary:80", pod("summary"), fromPod("customer"), 80, true],
        ["database -> summary:80", pod("summary"), fromPod("database"), 80, false],
        ["outside -> summary", pod("summary"), fromIp("203.0.113.7"), 80, false],
        ["outside -> customer:8080", pod("customer"), fromIp("203.0.113.7"), 8080, false],
    ];
    const openTable: Row[] = [
        ...tiersTable,
        ["anyone -> customer:80", pod("customer"), fromIp("198.51.100.1"), 80, true],
        ["a pod -> customer:80", pod("customer"), fromPod("summary"), 80, true],
    ];
    const listedTable: Row[] = [
        ...tiersTable,
        ["listed client -> customer:80", pod("customer"), fromIp("203.0.113.7"), 80, true],
        ["listed IPv6 client -> customer:80", pod("customer"), fromIp("2001:db8::7"), 80, true],
        ["unlisted client -> customer:80", pod("customer"), fromIp("198.51.100.1"), 80, false],
        ["Azure health probe -> customer:80", pod("customer"), fromIp("168.63.129.16"), 80, true],
        ["a node's address -> customer:80", pod("customer"), fromIp("10.224.0.4"), 80, false],
        ["a pod -> customer:80", pod("customer"), fromPod("summary"), 80, false],
    ];
    for (const [config, table] of [
        ["no allow-list", openTable],
        ["allowedClientCidrs", listedTable],
    ] as const) {
        for (const [name, target, source, port, allowed] of table) {
            it(`${config}: ${name} is ${allowed ? "allowed" : "denied"}`, () => {
                const run = config === "no allow-list" ? runs.open : runs.listed;
                assert.equal(ingressAllowed(emitted(run), target, source, { port }), allowed);
            });
        }
    }
});
