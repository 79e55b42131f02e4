/** The comparison as Markdown: one section per fingerprint, newest first. */
import { DATAPLANE_TITLE, DATAPLANES } from "../../core/dataplane";
import type { GroupComparison, Pair } from "./compare";
import { FLOW_TITLE } from "./flows";
import { fingerprintLines, spreadText, verdictText } from "./format";
import { PERCENTILES } from "./fortio";

const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
const table = (header: readonly string[], rows: readonly (readonly string[])[]) => [
    row(header),
    row(header.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.map(row),
];
const both = (label: string) => DATAPLANES.map((d) => `${DATAPLANE_TITLE[d]} ${label}`);
const values = (p: Pair) => DATAPLANES.map((d) => spreadText(p[d]));
const pLabel = (p: number) => `p${p}`;

function throughputSection(group: GroupComparison): string[] {
    if (group.throughput.length === 0) return [];
    return [
        "### Throughput and CPU (iperf3)",
        "",
        ...table(
            [
                "flow",
                "Services",
                ...both("Gbit/s"),
                ...both("vCPU per Gbit/s"),
                "vCPU per Gbit/s, eBPF vs iptables",
                ...both("UDP loss % / TCP retransmits"),
            ],
            group.throughput.map((r) => [
                `${FLOW_TITLE[r.flow]}${r.estimated ? " ¹" : ""}`,
                String(r.services),
                ...values(r.gbps),
                ...values(r.vcpuPerGbps),
                verdictText(r.vcpuPerGbps),
                ...values(r.flow.endsWith("udp") ? r.lossPercent : r.retransmits),
            ]),
        ),
        ...(group.throughput.some((r) => r.estimated)
            ? [
                  "",
                  "¹ iperf3 before 3.11 reports only the sender's UDP rate; received = sent × (1 − loss), an upper bound (loss after the last datagram received is not counted).",
              ]
            : []),
        "",
        "CPU is client + server node, above each node's idle baseline, from /proc/stat (steal is the hypervisor's, not counted as busy):",
        "",
        ...table(
            [
                "flow",
                "Services",
                ...both("softirq vCPU"),
                ...both("user+system vCPU"),
                ...both("steal vCPU"),
            ],
            group.throughput.map((r) => [
                FLOW_TITLE[r.flow],
                String(r.services),
                ...values(r.softirq),
                ...values(r.userSystem),
                ...values(r.steal),
            ]),
        ),
        "",
    ];
}

function requestSection(group: GroupComparison): string[] {
    if (group.requests.length === 0) return [];
    const connections = group.fingerprint.method.connections;
    const connectRows = group.requests.filter((r) =>
        DATAPLANES.some((d) => r.connect["50"]?.[d] !== undefined),
    );
    return [
        `### Request/response (fortio, ${connections} connections, µs)`,
        "",
        ...table(
            [
                "test",
                "Services",
                ...both("per second"),
                ...DATAPLANES.flatMap((d) =>
                    PERCENTILES.map((p) => `${DATAPLANE_TITLE[d]} ${pLabel(p)}`),
                ),
                "rate, eBPF vs iptables",
                "p99, eBPF vs iptables",
                ...both("errors"),
            ],
            group.requests.map((r) => [
                FLOW_TITLE[r.flow],
                String(r.services),
                ...values(r.rate),
                ...DATAPLANES.flatMap((d) =>
                    PERCENTILES.map((p) => spreadText(r.latency[String(p)]?.[d])),
                ),
                verdictText(r.rate),
                verdictText(r.latency["99"] ?? {}),
                ...values(r.errors),
            ]),
        ),
        "",
        "A percentile is left out (–) of a run with fewer than 10 samples beyond it (p99.9 needs 10,000).",
        "",
        ...(connectRows.length === 0
            ? []
            : [
                  "### Connect time against standing Services (TCP handshake of each CRR connection, µs)",
                  "",
                  ...table(
                      [
                          "Services",
                          ...DATAPLANES.flatMap((d) =>
                              PERCENTILES.map((p) => `${DATAPLANE_TITLE[d]} ${pLabel(p)}`),
                          ),
                          "p99, eBPF vs iptables",
                      ],
                      connectRows.map((r) => [
                          String(r.services),
                          ...DATAPLANES.flatMap((d) =>
                              PERCENTILES.map((p) => spreadText(r.connect[String(p)]?.[d])),
                          ),
                          verdictText(r.connect["99"] ?? {}),
                      ]),
                  ),
                  "",
              ]),
    ];
}

function programmingSection(group: GroupComparison): string[] {
    if (group.programming.length === 0) return [];
    return [
        "### Programming latency (a new endpoint until the first connection through it, client node, ms)",
        "",
        ...table(
            ["Services", ...both("ms"), "eBPF vs iptables"],
            group.programming.map((r) => [
                String(r.services),
                ...values(r.programmedMs),
                verdictText(r.programmedMs),
            ]),
        ),
        "",
    ];
}

function groupSection(group: GroupComparison, index: number): string[] {
    const versions = [
        ...new Set(
            group.runs.flatMap((r) => [
                ...r.toolVersions.iperf3,
                ...r.toolVersions.fortio.map((v) => `fortio ${v}`),
            ]),
        ),
    ];
    const runs = group.runs.map((r) => `${r.id} (${DATAPLANE_TITLE[r.dataplane]}, ${r.startedAt})`);
    return [
        `## ${index === 0 ? "Latest fingerprint" : `Earlier fingerprint ${index}`}: ${group.runs.length} run(s)`,
        "",
        `Runs: ${runs.join(", ")}.`,
        "",
        "Measured on:",
        "",
        ...fingerprintLines(group.fingerprint, group.settings, versions).map((l) => `- ${l}`),
        "",
        ...throughputSection(group),
        ...requestSection(group),
        ...programmingSection(group),
    ];
}

export function renderMarkdown(groups: readonly GroupComparison[]): string {
    const lines = [
        "# Calico dataplanes on AKS: benchmark comparison",
        "",
        "Each figure is the median over the repetitions, with the range (min–max) in brackets. The comparison says a dataplane differs only when the two ranges do not overlap and each has at least 3 repetitions; otherwise there is no measurable difference. This is a sign rule, not a significance test: with 3 repetitions each, two equal dataplanes still show ranges apart 1 time in 10. Runs measured on different fingerprints are never merged.",
        "",
        ...(groups.length === 0 ? ["No runs recorded yet."] : groups.flatMap(groupSection)),
    ];
    return `${lines.join("\n").trimEnd()}\n`;
}
