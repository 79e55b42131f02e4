/**
 * The README's claims about the operator's order in a flip ("Flip the dataplane" and its caveats),
 * checked against what the operator did (operator-timeline.ts). Pure: a list of the claims the
 * moments contradict, empty when all hold.
 */
import type { Dataplane } from "../../../core/dataplane";
import type { Moment } from "./operator-timeline";

export interface FlipFacts {
    readonly to: Dataplane;
    /** Operator 1.40+: eBPF implies `nftablesMode: Enabled` (InstallationSpec.IsNftables). */
    readonly nftablesUnderBpf: boolean;
    /** The flip wrote the kubernetes-services-endpoint ConfigMap (the first switch to eBPF). */
    readonly endpointWritten: boolean;
}

const index = (moments: readonly Moment[], what: string): number =>
    moments.findIndex((m) => m.what === what);

/** The index of the moment that completed the roll of the last calico-node generation before `end`. */
function lastRollout(moments: readonly Moment[], end: number): number {
    const generation = moments
        .slice(0, end)
        .filter((m) => m.what.startsWith("calico-node generation "))
        .at(-1)
        ?.what.split(" ")
        .at(-1);
    return generation === undefined
        ? -1
        : index(moments, `calico-node rolled out generation ${generation}`);
}

export function operatorOrderProblems(moments: readonly Moment[], flip: FlipFacts): string[] {
    const problems: string[] = [];
    const bpf = flip.to === "bpf";
    const bpfEnabled = index(moments, `bpfEnabled ${String(bpf)}`);
    if (bpfEnabled < 0) return [`the operator never set bpfEnabled ${String(bpf)}`];
    const rolled = lastRollout(moments, bpf ? bpfEnabled : moments.length);
    if (bpf && (rolled < 0 || rolled > bpfEnabled)) {
        problems.push("bpfEnabled true before calico-node had rolled out");
    }
    if (!bpf && rolled >= 0 && rolled < bpfEnabled) {
        problems.push("bpfEnabled false only after calico-node had rolled out, not at once");
    }
    const nftables = index(moments, `nftablesMode ${bpf ? "Enabled" : "Disabled"}`);
    if (flip.nftablesUnderBpf && nftables < 0) {
        problems.push(`no nftablesMode ${bpf ? "Enabled" : "Disabled"} from operator 1.40`);
    }
    if (flip.nftablesUnderBpf && bpf && nftables > bpfEnabled) {
        problems.push("nftablesMode Enabled after bpfEnabled true: no nftables phase");
    }
    if (!flip.nftablesUnderBpf && index(moments, "nftablesMode Enabled") >= 0) {
        problems.push("nftablesMode Enabled under eBPF on an operator before 1.40");
    }
    if (
        flip.endpointWritten &&
        !moments.some((m) => m.what.startsWith("calico-typha generation "))
    ) {
        problems.push("the endpoint ConfigMap did not roll Typha");
    }
    return problems;
}
