/**
 * The latest comparison as an SVG: vCPU per Gbit/s per flow with error bars (min–max), and
 * connect time and programming latency against the number of standing Services.
 */
import { DATAPLANE_TITLE, DATAPLANES, type Dataplane } from "../../core/dataplane";
import type { GroupComparison, Pair } from "./compare";
import { FLOW_TITLE } from "./flows";
import { figure, verdictLabel } from "./format";
import type { Spread } from "./stats";

const WIDTH = 760;
const PANEL = 270;
const MARGIN = { top: 40, right: 24, bottom: 56, left: 72 };
const PLOT = {
    width: WIDTH - MARGIN.left - MARGIN.right,
    height: PANEL - MARGIN.top - MARGIN.bottom,
};
const COLORS: Record<Dataplane, string> = { iptables: "#8c8c8c", bpf: "#f5a623" };

const escapeXml = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n1 = (value: number) => value.toFixed(1);

interface Scale {
    readonly y: (value: number) => number;
    readonly max: number;
}

/** The y scale of a panel whose top is at `top`: 0 at the bottom, the largest value (padded) at the top. */
function yScale(top: number, spreads: readonly (Spread | undefined)[]): Scale {
    const max = Math.max(...spreads.map((s) => s?.max ?? 0), 1e-9) * 1.15;
    return { y: (v) => top + MARGIN.top + PLOT.height - (v / max) * PLOT.height, max };
}

function frame(top: number, title: string, yLabel: string, scale: Scale): string[] {
    const bottom = top + MARGIN.top + PLOT.height;
    const parts = [
        `<text x="${WIDTH / 2}" y="${top + 24}" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
        `<line x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" stroke="#333"/>`,
        `<line x1="${MARGIN.left}" y1="${top + MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#333"/>`,
        `<text transform="translate(16 ${top + MARGIN.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ];
    for (let i = 0; i <= 4; i++) {
        const value = (scale.max * i) / 4;
        parts.push(
            `<text x="${MARGIN.left - 6}" y="${n1(scale.y(value) + 4)}" text-anchor="end" font-size="10">${figure(value)}</text>`,
        );
    }
    return parts;
}

function errorBar(x: number, s: Spread, y: (v: number) => number, data: string): string[] {
    return [
        `<line class="error-bar" ${data} x1="${n1(x)}" y1="${n1(y(s.min))}" x2="${n1(x)}" y2="${n1(y(s.max))}" stroke="#222"/>`,
        ...[s.min, s.max].map(
            (v) =>
                `<line x1="${n1(x - 4)}" y1="${n1(y(v))}" x2="${n1(x + 4)}" y2="${n1(y(v))}" stroke="#222"/>`,
        ),
    ];
}

function empty(top: number, text: string): string[] {
    return [
        `<text x="${WIDTH / 2}" y="${top + MARGIN.top + PLOT.height / 2}" text-anchor="middle" fill="#777">${escapeXml(text)}</text>`,
    ];
}

function barPanel(group: GroupComparison, top: number): string[] {
    const title = "vCPU per Gbit/s, client + server (lower is better)";
    const lowest = Math.min(...group.throughput.map((r) => r.services));
    const rows = group.throughput.filter((r) => r.services === lowest);
    const spreads = rows.flatMap((r) => DATAPLANES.map((d) => r.vcpuPerGbps[d]));
    const scale = yScale(top, spreads);
    const { y } = scale;
    const parts = frame(top, title, "vCPU per Gbit/s", scale);
    if (rows.length === 0) return [...parts, ...empty(top, "no throughput measurements")];
    const slot = PLOT.width / rows.length;
    const bar = Math.min(48, slot / 3);
    rows.forEach((row, i) => {
        const center = MARGIN.left + slot * (i + 0.5);
        DATAPLANES.forEach((dataplane, j) => {
            const s = row.vcpuPerGbps[dataplane];
            if (s === undefined) return;
            const x = center + (j - 1) * bar + (j === 0 ? -2 : 2);
            const data = `data-flow="${row.flow}" data-dataplane="${dataplane}"`;
            parts.push(
                `<rect class="bar" ${data} x="${n1(x)}" y="${n1(y(s.median))}" width="${n1(bar)}" height="${n1(y(0) - y(s.median))}" fill="${COLORS[dataplane]}"/>`,
                ...errorBar(x + bar / 2, s, y, data),
            );
        });
        parts.push(
            `<text x="${n1(center)}" y="${top + MARGIN.top + PLOT.height + 18}" text-anchor="middle">${escapeXml(FLOW_TITLE[row.flow])}</text>`,
            `<text x="${n1(center)}" y="${top + MARGIN.top + PLOT.height + 34}" text-anchor="middle" fill="#555" font-size="11">${escapeXml(verdictLabel(row.vcpuPerGbps))}</text>`,
        );
    });
    return parts;
}

/** Medians joined by a line per dataplane, with min–max error bars, against the Services count. */
function linePanel(
    top: number,
    chart: string,
    title: string,
    yLabel: string,
    points: readonly { services: number; pair: Pair }[],
): string[] {
    const spreads = points.flatMap((p) => DATAPLANES.map((d) => p.pair[d]));
    const scale = yScale(top, spreads);
    const { y } = scale;
    const parts = frame(top, title, yLabel, scale);
    if (points.length === 0) return [...parts, ...empty(top, "no measurements")];
    const x = (i: number) => MARGIN.left + (PLOT.width * (i + 0.5)) / points.length;
    points.forEach((p, i) =>
        parts.push(
            `<text x="${n1(x(i))}" y="${top + MARGIN.top + PLOT.height + 18}" text-anchor="middle">${p.services}</text>`,
        ),
    );
    parts.push(
        `<text x="${MARGIN.left + PLOT.width / 2}" y="${top + MARGIN.top + PLOT.height + 38}" text-anchor="middle">standing ClusterIP Services</text>`,
    );
    for (const dataplane of DATAPLANES) {
        const present = points.flatMap((p, i) => {
            const s = p.pair[dataplane];
            return s === undefined ? [] : [{ i, s, services: p.services }];
        });
        if (present.length === 0) continue;
        parts.push(
            `<polyline class="series" data-chart="${chart}" data-dataplane="${dataplane}" fill="none" stroke="${COLORS[dataplane]}" stroke-width="2" points="${present.map((p) => `${n1(x(p.i))},${n1(y(p.s.median))}`).join(" ")}"/>`,
        );
        for (const p of present) {
            const data = `data-chart="${chart}" data-dataplane="${dataplane}" data-services="${p.services}"`;
            parts.push(
                `<circle class="point" ${data} data-value="${p.s.median}" cx="${n1(x(p.i))}" cy="${n1(y(p.s.median))}" r="4" fill="${COLORS[dataplane]}"/>`,
                ...errorBar(x(p.i), p.s, y, data),
            );
        }
    }
    return parts;
}

export function renderSvg(groups: readonly GroupComparison[]): string {
    const group = groups[0];
    const height = PANEL * 3 + 70;
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
        "<title>Calico iptables vs eBPF on AKS: vCPU per Gbit/s, connect time and programming latency against standing Services</title>",
        `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ];
    if (group === undefined) {
        parts.push(...empty(0, "no runs recorded yet"), "</svg>");
        return `${parts.join("\n")}\n`;
    }
    const f = group.fingerprint;
    parts.push(
        `<text class="fingerprint" x="${WIDTH / 2}" y="${height - 12}" text-anchor="middle" font-size="10" fill="#555">${escapeXml(
            `${f.client.instanceType ?? "?"} · Kubernetes ${f.kubernetesVersion ?? "?"} · Calico ${f.calicoVersion ?? "?"} · kernel ${f.client.kernelVersion ?? "?"} · ${group.runs.length} run(s); median, bars min–max`,
        )}</text>`,
        ...barPanel(group, 0),
        ...linePanel(
            PANEL,
            "connect",
            "TCP connect time p99 (CRR) against standing Services",
            "µs",
            group.requests
                .filter((r) => r.flow === "crr")
                .map((r) => ({ services: r.services, pair: r.connect["99"] ?? {} })),
        ),
        ...linePanel(
            PANEL * 2,
            "programming",
            "Programming latency of a new endpoint against standing Services",
            "ms",
            group.programming.map((r) => ({ services: r.services, pair: r.programmedMs })),
        ),
    );
    DATAPLANES.forEach((dataplane, i) => {
        const x = MARGIN.left + 10 + i * 110;
        parts.push(
            `<rect x="${x}" y="${height - 50}" width="12" height="12" fill="${COLORS[dataplane]}"/>`,
            `<text x="${x + 18}" y="${height - 40}">${DATAPLANE_TITLE[dataplane]}</text>`,
        );
    });
    parts.push("</svg>");
    return `${parts.join("\n")}\n`;
}
