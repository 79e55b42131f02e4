import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../../support/paths";
import { renderReport, type Report } from "../../../tools/verify/report";

const POLICY_NAMES = [
    "customer-from-clients",
    "database-from-summary",
    "default-deny-ingress",
    "summary-from-customer",
];

describe("the README's example reports", () => {
    const examples: Report[] = [
        {
            expected: "iptables",
            live: "iptables",
            url: "http://20.81.12.34/?lab-verify=5f0c2a9e41d7",
            httpStatus: 200,
            attempts: 1,
            sourceIp: "10.224.0.33",
            sourceKind: "node",
            nodeIps: ["10.224.0.4", "10.224.0.33"],
            policies: POLICY_NAMES,
            ok: true,
            summary:
                "iptables: the app saw node IP 10.224.0.33, as kube-proxy SNATs load-balanced traffic",
        },
        {
            expected: "bpf",
            live: "bpf",
            url: "http://20.81.12.34/?lab-verify=b3e81f07c2aa",
            httpStatus: 200,
            attempts: 2,
            sourceIp: "203.0.113.7",
            sourceKind: "client",
            nodeIps: ["10.224.0.4", "10.224.0.33"],
            policies: POLICY_NAMES,
            allowList: ["203.0.113.0/24"],
            clientAllowed: true,
            ok: true,
            summary:
                "eBPF: the app saw 203.0.113.7, not a node IP: the client's address is preserved",
        },
    ];
    const readme = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");
    for (const example of examples) {
        it(`shows the ${example.expected} report exactly as the program prints it`, () => {
            assert.ok(readme.includes(renderReport(example)), renderReport(example));
        });
    }
});
