/** How the reports write figures, ranges and verdicts. */
import { DATAPLANE_TITLE, type Dataplane } from "../../core/dataplane";
import { imageTag } from "../kube/environment";
import type { Pair } from "./compare";
import type { DataplaneSettings, Fingerprint, NodeFingerprint } from "./fingerprint";
import { MIN_REPETITIONS_FOR_VERDICT, type Spread } from "./stats";

/** A number with about three significant digits. */
export function figure(value: number): string {
    const magnitude = Math.abs(value);
    if (magnitude >= 100 || value === 0) return value.toFixed(0);
    if (magnitude >= 10) return value.toFixed(1);
    if (magnitude >= 1) return value.toFixed(2);
    return value.toPrecision(3);
}

/** `median (min–max)`, or the median alone when all values are equal. */
export function spreadText(s: Spread | undefined): string {
    if (s === undefined) return "–";
    return s.min === s.max
        ? figure(s.median)
        : `${figure(s.median)} (${figure(s.min)}–${figure(s.max)})`;
}

const signedPercent = (value: number) =>
    `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(value).toFixed(0)}%`;

/** What the comparison may say about a figure, eBPF against iptables. */
export function verdictText(p: Pair): string {
    const { iptables, bpf, verdict } = p;
    if (verdict === undefined || iptables === undefined || bpf === undefined) return "–";
    const n = `n = ${iptables.n}/${bpf.n}`;
    switch (verdict.kind) {
        case "different":
            return `${signedPercent(verdict.changePercent)} (ranges apart, ${n})`;
        case "no-measurable-difference":
            return `no measurable difference (${n})`;
        case "too-few-repetitions":
            return `too few repetitions to tell (${n}; needs ${MIN_REPETITIONS_FOR_VERDICT} each)`;
    }
}

/** The short form a chart can carry. */
export function verdictLabel(p: Pair): string {
    if (p.verdict?.kind === "different") return signedPercent(p.verdict.changePercent);
    if (p.verdict?.kind === "no-measurable-difference") return "no measurable difference";
    return "";
}

const or = (value: string | number | undefined) => (value === undefined ? "?" : String(value));

function nodeText(role: string, node: NodeFingerprint): string {
    const nics = node.nics.map((n) => `${n.name} ${n.driver} MTU ${n.mtu}`).join(", ");
    const accelerated =
        node.acceleratedNetworking === undefined
            ? "accelerated networking unknown"
            : `accelerated networking ${node.acceleratedNetworking ? "on" : "off"}`;
    return (
        `${role} ${node.name}: ${or(node.instanceType)}, zone ${or(node.zone)}, ${or(node.osImage)}, ` +
        `kernel ${or(node.kernelVersion)}, node image ${or(node.nodeImageVersion)}, ` +
        `${nics === "" ? "NICs unknown" : nics}, ${accelerated}`
    );
}

/** The fingerprint as lines of text, for the report. */
export function fingerprintLines(
    fingerprint: Fingerprint,
    settings: Partial<Record<Dataplane, DataplaneSettings>>,
    toolVersions: readonly string[],
): string[] {
    const dataplanes = Object.values(settings)
        .map(
            (s) =>
                `${DATAPLANE_TITLE[s.dataplane]} (nftablesMode ${or(s.nftablesMode)}` +
                `${s.bpfKubeProxyMinSyncPeriod === undefined ? "" : `, bpfKubeProxyMinSyncPeriod ${s.bpfKubeProxyMinSyncPeriod}`})`,
        )
        .join(", ");
    const images = fingerprint.imageIds.map((id) => imageTag(id) ?? id).join(", ");
    return [
        `Kubernetes ${or(fingerprint.kubernetesVersion)}; Calico ${or(fingerprint.calicoVersion)}, operator ${or(fingerprint.operatorVersion)}; kube-proxy ${or(fingerprint.kubeProxyMode)}`,
        `dataplanes: ${dataplanes}`,
        nodeText("client", fingerprint.client),
        nodeText("server", fingerprint.server),
        `pod MTU ${or(fingerprint.podMtu)}`,
        `tools: ${toolVersions.join(", ") || "?"}; images ${images || "?"}`,
        `method: ${fingerprint.method.durationSeconds} s per flow, fortio with ${fingerprint.method.connections} connections, UDP at ${fingerprint.method.udpMbps} Mbit/s`,
    ];
}
