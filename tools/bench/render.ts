/** The comparison of recorded runs as a Markdown table and an SVG bar chart. */
import { DATAPLANES, DATAPLANE_TITLE, type Dataplane } from "../../core/dataplane";
import type { Comparison } from "./results";

const FLOW_LABELS = {
    "p2p-tcp": "pod → pod TCP",
    "p2p-udp": "pod → pod UDP",
    "p2s-tcp": "pod → service TCP",
    "p2s-udp": "pod → service UDP",
} as const;

const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? "–" : value.toFixed(digits);
const signed = (value: number | undefined) =>
    value === undefined ? "–" : `${value > 0 ? "+" : ""}${value.toFixed(0)}%`;

export function renderMarkdown(comparison: Comparison): string {
    const lines = [
        "| flow | iptables Gbit/s | iptables vCPU | iptables vCPU per Gbit/s | eBPF Gbit/s | eBPF vCPU | eBPF vCPU per Gbit/s | vCPU per Gbit/s, eBPF vs iptables |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        ...comparison.rows.map((row) => {
            const cells = DATAPLANES.flatMap((d) => {
                const cell = row.byDataplane[d];
                return [fixed(cell?.gbps, 2), fixed(cell?.vcpu, 2), fixed(cell?.vcpuPerGbps, 3)];
            });
            return `| ${FLOW_LABELS[row.flow]} | ${cells.join(" | ")} | ${signed(row.changePercent)} |`;
        }),
    ];
    const latencyRows = DATAPLANES.flatMap((d) => {
        const l = comparison.latency[d];
        return l
            ? [
                  `| ${d} | ${l.connections} | ${fixed(l.meanMs, 3)} | ${fixed(l.p50Ms, 3)} | ${fixed(l.p90Ms, 3)} | ${fixed(l.p99Ms, 3)} |`,
              ]
            : [];
    });
    if (latencyRows.length > 0) {
        lines.push(
            "",
            "| TCP connect to the service | connections | mean ms | p50 ms | p90 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
            ...latencyRows,
        );
    }
    return `${lines.join("\n")}\n`;
}

const COLORS: Record<Dataplane, string> = { iptables: "#8c8c8c", bpf: "#f5a623" };
const escapeXml = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Grouped bars of vCPU per Gbit/s per flow, iptables beside eBPF: lower is better. */
export function renderSvg(comparison: Comparison): string {
    const width = 720;
    const height = 360;
    const margin = { top: 48, right: 24, bottom: 64, left: 64 };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const values = comparison.rows.flatMap((r) =>
        Object.values(r.byDataplane).map((c) => c.vcpuPerGbps),
    );
    const max = Math.max(...values, 0) * 1.15 || 1;
    const y = (value: number) => margin.top + plotHeight - (value / max) * plotHeight;
    const group = plotWidth / Math.max(comparison.rows.length, 1);
    const bar = Math.min(48, group / 3);
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
        `<title>CPU to drive traffic: vCPU per Gbit/s (client + server), lower is better</title>`,
        `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
        `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">vCPU per Gbit/s (client + server), lower is better</text>`,
        `<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${width - margin.right}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
        `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    ];
    for (let i = 0; i <= 4; i++) {
        const value = (max / 4) * i;
        parts.push(
            `<text x="${margin.left - 6}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(2)}</text>`,
        );
    }
    comparison.rows.forEach((row, i) => {
        const center = margin.left + group * i + group / 2;
        DATAPLANES.forEach((dataplane, j) => {
            const cell = row.byDataplane[dataplane];
            if (cell === undefined) return;
            const x = center - bar + j * bar;
            parts.push(
                `<rect class="bar" data-flow="${row.flow}" data-dataplane="${dataplane}" x="${x.toFixed(1)}" y="${y(cell.vcpuPerGbps).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(margin.top + plotHeight - y(cell.vcpuPerGbps)).toFixed(1)}" fill="${COLORS[dataplane]}"><title>${escapeXml(`${FLOW_LABELS[row.flow]}, ${dataplane}: ${cell.vcpuPerGbps.toFixed(3)} vCPU per Gbit/s`)}</title></rect>`,
                `<text x="${(x + bar / 2 - 1).toFixed(1)}" y="${(y(cell.vcpuPerGbps) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${cell.vcpuPerGbps.toFixed(2)}</text>`,
            );
        });
        parts.push(
            `<text x="${center.toFixed(1)}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${escapeXml(FLOW_LABELS[row.flow])}</text>`,
        );
        if (row.changePercent !== undefined) {
            parts.push(
                `<text x="${center.toFixed(1)}" y="${margin.top + plotHeight + 34}" text-anchor="middle" fill="#555">${signed(row.changePercent)}</text>`,
            );
        }
    });
    DATAPLANES.forEach((dataplane, i) => {
        const x = margin.left + 10 + i * 110;
        parts.push(
            `<rect x="${x}" y="${height - 20}" width="12" height="12" fill="${COLORS[dataplane]}"/>`,
            `<text x="${x + 18}" y="${height - 10}">${DATAPLANE_TITLE[dataplane]}</text>`,
        );
    });
    parts.push("</svg>");
    return `${parts.join("\n")}\n`;
}
