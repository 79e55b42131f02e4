import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifySource, judge, type Observation } from "../../../tools/verify/verdict";
import { NODE_IPS } from "../../support/fixtures";

const base: Observation = {
    expected: "bpf",
    live: "bpf",
    pending: [],
    nodeIps: NODE_IPS,
    sourceIp: "203.0.113.7",
};

describe("classifySource", () => {
    it("a node's InternalIP means SNAT; anything else is the client", () => {
        assert.equal(classifySource("10.224.0.33", NODE_IPS), "node");
        assert.equal(classifySource("203.0.113.7", NODE_IPS), "client");
        assert.equal(classifySource("10.224.0.5", NODE_IPS), "client");
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
        ["unknown", { live: undefined }, false, /live dataplane is unknown/],
        [
            "not settled",
            { pending: ["DaemonSet calico-system/calico-node: 1 of 2 updated"] },
            false,
            /not settled: DaemonSet/,
        ],
        ["request never logged", { sourceIp: undefined }, false, /never showed up/],
    ];
    for (const [name, change, ok, summary] of rows) {
        it(`${name} -> ${ok ? "pass" : "fail"}`, () => {
            const verdict = judge({ ...base, ...change });
            assert.equal(verdict.ok, ok);
            assert.match(verdict.summary, summary);
        });
    }
});
