import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { findMarked, parseAccessLog, parseAccessLogLine } from "../../../tools/verify/access-log";
import { judge } from "../../../tools/verify/verdict";
import type { Dataplane } from "../../../core/dataplane";
import { servedLog } from "../harness/kwok";
import {
    customerFrontend,
    nodeAddresses,
    routeRequest,
    serveCustomer,
    sourceIpSeen,
    werkzeugAccessLine,
    type Client,
    type NodeAddress,
    type Route,
} from "./yaobank-traffic";

const NODES: NodeAddress[] = [
    { name: "aks-nodepool1-12345678-vmss000000", ip: "127.0.0.2" },
    { name: "aks-nodepool1-12345678-vmss000001", ip: "127.0.0.3" },
];
const [NODE0, NODE1] = NODES as [NodeAddress, NodeAddress];

const endpoint = (pod: string, node: string, ready?: boolean) => ({
    addresses: ["127.0.1.7"],
    ...(ready === undefined ? {} : { conditions: { ready } }),
    nodeName: node,
    targetRef: { kind: "Pod", name: pod, namespace: "yaobank" },
});
const slice = (...endpoints: unknown[]) => ({ endpoints });

const route = (
    client: Client,
    dataplaneOn: (node: string) => Dataplane | undefined,
    slices: unknown[] = [slice(endpoint("customer-abc", NODE1.name, true))],
) => routeRequest({ slices, nodes: NODES, client, dataplaneOn, pick: () => 0 });

const summary = (seen: Route | undefined) =>
    seen && {
        forwarder: seen.forwarder.name,
        dataplane: seen.dataplane,
        pod: seen.backend.pod,
        sourceIp: seen.sourceIp,
    };

describe("sourceIpSeen (what the customer pod sees of a load-balanced client)", () => {
    it("eBPF keeps the client's address; iptables gives the forwarding node's", () => {
        assert.equal(sourceIpSeen("bpf", "203.0.113.9", NODE0), "203.0.113.9");
        assert.equal(sourceIpSeen("iptables", "203.0.113.9", NODE0), "127.0.0.2");
        assert.equal(sourceIpSeen("iptables", "203.0.113.9", NODE1), "127.0.0.3");
    });
});

describe("routeRequest", () => {
    it("decides by the dataplane Felix runs on the node the flow lands on, not on the pod's node", () => {
        // Port 40000 lands on node 0, 40001 on node 1; the pod runs on node 1.
        const half = (node: string): Dataplane => (node === NODE0.name ? "bpf" : "iptables");
        assert.deepEqual(summary(route({ address: "127.0.0.1", port: 40000 }, half)), {
            forwarder: NODE0.name,
            dataplane: "bpf",
            pod: "customer-abc",
            sourceIp: "127.0.0.1",
        });
        assert.deepEqual(summary(route({ address: "127.0.0.1", port: 40001 }, half)), {
            forwarder: NODE1.name,
            dataplane: "iptables",
            pod: "customer-abc",
            sourceIp: "127.0.0.3",
        });
    });

    it("a node where no Felix came up is kube-proxy's: the node's address", () => {
        assert.deepEqual(summary(route({ address: "127.0.0.1", port: 40000 }, () => undefined)), {
            forwarder: NODE0.name,
            dataplane: "iptables",
            pod: "customer-abc",
            sourceIp: "127.0.0.2",
        });
    });

    it("only ready endpoints (ready unset counts as ready), each pod once; none: no route", () => {
        const slices = [
            slice(endpoint("old", NODE0.name, false), endpoint("new", NODE1.name)),
            slice(endpoint("new", NODE1.name)),
        ];
        const picked: number[] = [];
        const seen = routeRequest({
            slices,
            nodes: NODES,
            client: { address: "127.0.0.1", port: 1 },
            dataplaneOn: () => "bpf",
            pick: (count) => {
                picked.push(count);
                return 0;
            },
        });
        assert.deepEqual(picked, [1]);
        assert.deepEqual(seen?.backend, { pod: "new", node: NODE1.name });
        const none = [slice(endpoint("old", NODE0.name, false))];
        assert.equal(
            route({ address: "127.0.0.1", port: 1 }, () => "bpf", none),
            undefined,
        );
        assert.equal(
            route({ address: "127.0.0.1", port: 1 }, () => "bpf", []),
            undefined,
        );
    });
});

describe("nodeAddresses and customerFrontend (read from API objects)", () => {
    it("nodes by name with their InternalIP; a node without one is left out", () => {
        const node = (name: string, addresses: unknown[]) => ({
            metadata: { name },
            status: { addresses },
        });
        assert.deepEqual(
            nodeAddresses([
                node("b", [{ type: "InternalIP", address: "127.0.0.3" }]),
                node("c", [{ type: "Hostname", address: "c" }]),
                node("a", [
                    { type: "Hostname", address: "a" },
                    { type: "InternalIP", address: "127.0.0.2" },
                ]),
            ]),
            [
                { name: "a", ip: "127.0.0.2" },
                { name: "b", ip: "127.0.0.3" },
            ],
        );
    });

    it("the ingress IP and the http port, only on loopback", () => {
        const service = (ip: unknown) => ({
            spec: {
                ports: [
                    { name: "metrics", port: 9090 },
                    { name: "http", port: 80 },
                ],
            },
            status: { loadBalancer: ip === undefined ? {} : { ingress: [{ ip }] } },
        });
        assert.deepEqual(customerFrontend(service("127.0.0.100")), { ip: "127.0.0.100", port: 80 });
        assert.equal(customerFrontend(service(undefined)), undefined);
        assert.equal(customerFrontend(service("20.81.12.34")), undefined);
        assert.equal(customerFrontend(service("::1")), undefined);
    });
});

describe("werkzeugAccessLine", () => {
    it("is werkzeug's format, in UTC, which verify's parser reads back", () => {
        const line = werkzeugAccessLine({
            sourceIp: "127.0.0.3",
            method: "GET",
            path: "/?lab-verify=0a1b2c",
            httpVersion: "1.1",
            status: 200,
            at: Date.UTC(2026, 11, 3, 9, 5, 7),
        });
        assert.equal(
            line,
            '127.0.0.3 - - [03/Dec/2026 09:05:07] "GET /?lab-verify=0a1b2c HTTP/1.1" 200 -',
        );
        assert.deepEqual(parseAccessLogLine(line), {
            sourceIp: "127.0.0.3",
            time: "03/Dec/2026 09:05:07",
            method: "GET",
            path: "/?lab-verify=0a1b2c",
            status: 200,
        });
    });
});

describe("serveCustomer (on 127.0.0.1, a free port, a temporary log file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "yaobank-traffic-"));
    after(() => {
        rmSync(dir, { recursive: true, force: true });
    });

    it("answers 200 with a page and logs the request, as the pod would, with the routed source IP", async () => {
        const logFile = join(dir, "yaobank_customer-abc", "customer.log");
        for (const dataplane of ["bpf", "iptables"] as const) {
            const clients: Client[] = [];
            const server = await serveCustomer({
                host: "127.0.0.1",
                port: 0,
                route: (client) => {
                    clients.push(client);
                    const seen = routeRequest({
                        slices: [slice(endpoint("customer-abc", NODE1.name, true))],
                        nodes: NODES,
                        client,
                        dataplaneOn: () => dataplane,
                        pick: () => 0,
                    });
                    return Promise.resolve(seen && { logFile, sourceIp: seen.sourceIp });
                },
            });
            try {
                const marker = `m-${dataplane}`;
                const response = await fetch(
                    `http://127.0.0.1:${server.port}/?lab-verify=${marker}`,
                );
                assert.equal(response.status, 200);
                assert.match(await response.text(), /<title>YAO Bank<\/title>/);
                const [client, ...more] = clients;
                assert.equal(more.length, 0);
                assert.equal(client?.address, "127.0.0.1");
                const file = readFileSync(logFile, "utf8");
                assert.match(file.trimEnd().split("\n").at(-1) ?? "", /^\S+Z stderr F 127\.0\.0\./);
                const entries = parseAccessLog(servedLog(file, { timestamps: false }));
                const found = findMarked(entries, marker);
                const forwarder = client.port % 2 === 0 ? NODE0 : NODE1;
                const expected = dataplane === "bpf" ? "127.0.0.1" : forwarder.ip;
                assert.equal(found?.sourceIp, expected);
                // What verify concludes from it, the cluster settled on this dataplane.
                const verdict = judge({
                    expected: dataplane,
                    live: dataplane,
                    pending: [],
                    httpStatus: 200,
                    nodeIps: NODES.map((n) => n.ip),
                    sourceIp: found.sourceIp,
                });
                assert.equal(verdict.ok, true, verdict.summary);
            } finally {
                await server.close();
            }
            await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`));
        }
    });

    it("a request with no route loses its connection and logs nothing", async () => {
        const logFile = join(dir, "untouched.log");
        writeFileSync(logFile, "");
        const server = await serveCustomer({
            host: "127.0.0.1",
            port: 0,
            route: () => Promise.resolve(undefined),
        });
        try {
            await assert.rejects(fetch(`http://127.0.0.1:${server.port}/?lab-verify=x`));
            assert.equal(readFileSync(logFile, "utf8"), "");
        } finally {
            await server.close();
        }
    });
});
