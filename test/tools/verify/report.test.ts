import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../../support/paths";
import type { ClusterEnvironment } from "../../../tools/kube/environment";
import { renderReport, type Report } from "../../../tools/verify/report";

const POLICY_NAMES = [
    "customer-from-clients",
    "database-from-summary",
    "default-deny-ingress",
    "summary-from-customer",
];

/** AKS 1.36 (operator 1.40.2, Calico 3.31.2) with two Ubuntu nodes. */
const environment = (
    nftablesMode: string,
    kubeProxyHealthzPort: ClusterEnvironment["kubeProxyHealthzPort"],
): ClusterEnvironment => ({
    calicoVersion: "v3.31.2",
    operatorImage: "mcr.microsoft.com/oss/tigera/operator:v1.40.2",
    operatorVersion: "v1.40.2",
    nftablesMode,
    kubeProxyHealthzPort,
    kubeProxyMode: { mode: "iptables", source: "default" },
    nodes: ["aks-system-12345678-vmss000000", "aks-system-12345678-vmss000001"].map((name) => ({
        name,
        osImage: "Ubuntu 24.04.3 LTS",
        kernelVersion: "6.8.0-1041-azure",
        kubeletVersion: "v1.36.2",
        containerRuntimeVersion: "containerd://1.7.29-1",
        instanceType: "Standard_D2s_v3",
        nodeImageVersion: "AKSUbuntu-2404gen2containerd-202611.10.0",
    })),
});

describe("the report as the docs show it", () => {
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
            environment: environment("Disabled", undefined),
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
            environment: environment("Enabled", { field: "bpfKubeProxyHealthzPort", port: 10258 }),
            healthz: {
                port: 10258,
                source: "bpfKubeProxyHealthzPort",
                nodes: [
                    {
                        node: "aks-system-12345678-vmss000000",
                        servedBy: "felix",
                        detail:
                            "Felix (pid 212) started its server on :10258 at 10:02:42Z and logged no bind " +
                            "failure in the last 120 s (it logs one every second while the port is taken)",
                    },
                    {
                        node: "aks-system-12345678-vmss000001",
                        servedBy: "felix",
                        detail:
                            "Felix (pid 187) logged no bind failure in the last 120 s (it logs one every " +
                            "second while the port is taken)",
                    },
                ],
                problem: undefined,
            },
        },
    ];
    const page = readFileSync(join(PROJECT_DIR, "docs", "verify.md"), "utf8");
    const sample = page
        .slice(
            page.indexOf("<!-- tier-verify-sample:begin -->"),
            page.indexOf("<!-- tier-verify-sample:end -->"),
        )
        .split("\n")
        .filter((line) => /^[a-z][a-zA-Z -]*[a-zA-Z] {2,}\S/.test(line));
    const labels = (lines: readonly string[]) => lines.map((line) => line.split(/ {2,}/)[0]);
    it("the docs' sample (a run of the cluster tier) has the labels, in the order, the program prints", () => {
        const [, bpf] = examples;
        assert.ok(bpf);
        const { allowList: _a, clientAllowed: _c, ...withoutAllowList } = bpf;
        assert.ok(sample.length >= 10, sample.join("\n"));
        assert.deepEqual(
            labels(sample),
            labels(renderReport(withoutAllowList).trimEnd().split("\n")),
        );
    });
    for (const example of examples) {
        it(`prints the ${example.expected} report with every label padded alike and the verdict last`, () => {
            const lines = renderReport(example).trimEnd().split("\n");
            for (const line of lines) assert.match(line, /^[a-z][a-z -]{0,10} +\S/, line);
            assert.match(lines.at(-1) ?? "", /^verdict {5}PASS: /);
        });
    }
});

describe("renderReport's environment", () => {
    /** A report that says nothing but its live dataplane and environment. */
    const reportOf = (live: Report["live"], env: ClusterEnvironment): string =>
        renderReport({
            expected: "bpf",
            live,
            url: "http://x/",
            httpStatus: 200,
            attempts: 1,
            sourceIp: undefined,
            sourceKind: undefined,
            nodeIps: [],
            policies: [],
            ok: false,
            summary: "x",
            environment: env,
        });

    it("reports nftablesMode with the live mode", () => {
        const text = reportOf("switching", environment("Enabled", undefined));
        assert.match(text, /^dataplane +expected bpf, live switching \(nftablesMode Enabled\)$/m);
    });

    it("says what it does not know, and where kube-proxy's mode comes from", () => {
        const text = reportOf("bpf", {
            calicoVersion: undefined,
            operatorImage: undefined,
            operatorVersion: undefined,
            nftablesMode: undefined,
            kubeProxyHealthzPort: { field: "bpfKubeProxyHealtzPort", port: 10258 },
            kubeProxyMode: { mode: "ipvs", source: "flag" },
            nodes: [],
        });
        assert.match(text, /^dataplane +expected bpf, live bpf$/m);
        assert.match(text, /calico +unknown \(tigera-operator unknown\)/);
        assert.match(
            text,
            /felix +nftablesMode unknown; kube-proxy healthz port 10258 \(bpfKubeProxyHealtzPort\)/,
        );
        assert.match(text, /kube-proxy +ipvs \(--proxy-mode\)/);
        assert.doesNotMatch(text, /^node {2,}/m);
    });
});
