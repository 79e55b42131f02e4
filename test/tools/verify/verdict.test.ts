import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifySource, judge, type Observation } from "../../../tools/verify/verdict";
import { NODE_IPS } from "../../support/fixtures";

const base: Observation = {
    expected: "bpf",
    live: "bpf",
    pending: [],
    httpStatus: 200,
    nodeIps: NODE_IPS,
    sourceIp: "203.0.113.7",
};

describe("classifySource", () => {
    it("a node's InternalIP means SNAT; anything else is the client", () => {
        assert.equal(classifySource("10.224.0.33", NODE_IPS), "node");
        assert.equal(classifySource("203.0.113.7", NODE_IPS), "client");
        assert.equal(classifySource("10.224.0.5", NODE_IPS), "client");
    });
    it("compares whole addresses: 10.224.0.45 is not node 10.224.0.4", () => {
        assert.equal(classifySource("10.224.0.45", ["10.224.0.4"]), "client");
    });
});

describe("judge: the verdict table", () => {
    const rows: [string, Partial<Observation>, boolean, RegExp][] = [
        ["bpf, client IP", {}, true, /eBPF: the app saw 203.0.113.7, not a node IP/],
        [
            "bpf, node IP",
            { sourceIp: "10.224.0.4" },
            false,
            /eBPF should preserve .* node IP 10.224.0.4 .*restarted/,
        ],
        [
            "iptables, node IP",
            { expected: "iptables", live: "iptables", sourceIp: "10.224.0.4" },
            true,
            /iptables: the app saw node IP 10.224.0.4/,
        ],
        [
            "iptables, client IP",
            { expected: "iptables", live: "iptables" },
            false,
            /iptables should SNAT to a node IP, but the app saw 203.0.113.7/,
        ],
        [
            "stack bpf, cluster iptables",
            { live: "iptables" },
            false,
            /the stack says bpf but Calico runs iptables/,
        ],
        ["mid-switch", { live: "switching" }, false, /between dataplanes/],
        [
            "mid-switch in operator 1.40's nftables phase",
            { live: "switching", nftablesMode: "Enabled" },
            false,
            /between dataplanes.*\(nftablesMode Enabled: .*Felix runs nftables beside AKS's iptables kube-proxy/,
        ],
        ["unknown", { live: undefined }, false, /live dataplane is unknown/],
        [
            "not settled",
            { pending: ["DaemonSet calico-system/calico-node: 1 of 2 updated"] },
            false,
            /not settled: DaemonSet/,
        ],
        ["request never logged", { sourceIp: undefined }, false, /never showed up/],
        [
            "bpf, client IP, but HTTP 500",
            { httpStatus: 500 },
            false,
            /answered HTTP 500: the app is broken/,
        ],
        [
            "iptables, node IP, but HTTP 502",
            { expected: "iptables", live: "iptables", sourceIp: "10.224.0.4", httpStatus: 502 },
            false,
            /answered HTTP 502/,
        ],
        ["a redirect is no answer either", { httpStatus: 302 }, false, /answered HTTP 302/],
        ["any 2xx answers", { httpStatus: 204 }, true, /eBPF: the app saw 203.0.113.7/],
    ];
    for (const [name, change, ok, summary] of rows) {
        it(`${name} -> ${ok ? "pass" : "fail"}`, () => {
            const verdict = judge({ ...base, ...change });
            assert.equal(verdict.ok, ok);
            assert.match(verdict.summary, summary);
        });
    }
});
