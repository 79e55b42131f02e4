import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import { renderMarkdown, renderSvg } from "../../../tools/bench/render";
import {
    compare,
    latencyStats,
    perGbps,
    type BenchRun,
    type ThroughputResult,
} from "../../../tools/bench/results";

const flow = (
    name: ThroughputResult["flow"],
    gbps: number,
    clientVcpu: number,
    serverVcpu: number,
): ThroughputResult => ({
    flow: name,
    gbps,
    clientVcpu,
    serverVcpu,
    vcpuPerGbps: perGbps(clientVcpu, serverVcpu, gbps),
});

const run = (id: string, dataplane: "iptables" | "bpf", scale: number): BenchRun => ({
    id,
    startedAt: "2026-11-23T09:00:00.000Z",
    dataplane,
    clientNode: "aks-system-1",
    serverNode: "aks-system-0",
    vmSize: "Standard_D2s_v3",
    durationSeconds: 30,
    baselineVcpu: { client: 0.1, server: 0.1 },
    flows: [
        flow("p2p-tcp", 1.0, 0.5 * scale, 0.5 * scale),
        flow("p2p-udp", 0.8, 0.4 * scale, 0.4 * scale),
        flow("p2s-tcp", 1.0, 0.6 * scale, 0.6 * scale),
        flow("p2s-udp", 0.8, 0.5 * scale, 0.5 * scale),
    ],
    latency: latencyStats([0.4, 0.5, 0.6, 0.7].map((ms) => ms * scale)),
});

describe("the comparison", () => {
    const comparison = compare([
        run("a", "iptables", 1),
        run("b", "iptables", 1.2),
        run("c", "bpf", 0.7),
    ]);

    it("averages per flow and dataplane and gives eBPF's change of CPU per Gbit/s", () => {
        const tcp = comparison.rows.find((r) => r.flow === "p2p-tcp");
        assert.ok(tcp);
        const { iptables, bpf } = tcp.byDataplane;
        assert.ok(iptables && bpf);
        assert.equal(iptables.runs, 2);
        assert.ok(Math.abs(iptables.vcpuPerGbps - 1.1) < 1e-9);
        assert.ok(Math.abs(bpf.vcpuPerGbps - 0.7) < 1e-9);
        assert.ok(Math.abs((tcp.changePercent ?? 0) - -36.3636) < 0.001);
        assert.equal(comparison.latency.bpf?.runs, 1);
    });

    it("renders a Markdown table with a row per flow and the latency table", () => {
        const markdown = renderMarkdown(comparison);
        const rows = markdown.split("\n").filter((l) => l.startsWith("| pod"));
        assert.equal(rows.length, 4);
        assert.match(
            rows[0] ?? "",
            /^\| pod → pod TCP \| 1\.00 \| 1\.10 \| 1\.100 \| 1\.00 \| 0\.70 \| 0\.700 \| -36% \|$/,
        );
        assert.match(markdown, /\| bpf \| 4 \| 0\.385 \|/);
    });

    it("renders a well-formed SVG with two bars per flow, eBPF's shorter where it is cheaper", () => {
        const errors: string[] = [];
        const svg = new DOMParser({
            onError: (level, message) => errors.push(`${level}: ${message}`),
        }).parseFromString(renderSvg(comparison), "image/svg+xml");
        assert.deepEqual(errors, []);
        const bars = Array.from(svg.getElementsByTagName("rect")).filter(
            (r) => r.getAttribute("class") === "bar",
        );
        assert.equal(bars.length, 8);
        const height = (flowName: string, dataplane: string) =>
            Number(
                bars
                    .find(
                        (b) =>
                            b.getAttribute("data-flow") === flowName &&
                            b.getAttribute("data-dataplane") === dataplane,
                    )
                    ?.getAttribute("height"),
            );
        for (const f of ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp"]) {
            assert.ok(height(f, "bpf") < height(f, "iptables"), f);
            assert.ok(height(f, "bpf") > 0);
        }
        assert.match(svg.getElementsByTagName("title")[0]?.textContent ?? "", /vCPU per Gbit\/s/);
    });

    it("renders a single dataplane without a change column", () => {
        const only = compare([run("a", "bpf", 1)]);
        assert.equal(only.rows[0]?.changePercent, undefined);
        assert.match(renderMarkdown(only), /\| – \| – \| – \| 1\.00 \| 1\.00 \| 1\.000 \| – \|/);
    });
});
