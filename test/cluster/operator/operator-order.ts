/**
 * The README's claims about the operator's order in a flip ("Flip the dataplane" and its caveats),
 * checked against what the operator did (operator-timeline.ts). Pure: a list of the claims the
 * moments contradict, empty when all hold.
 */
import type { Dataplane } from "../../../core/dataplane";
import { type Moment, OPERATOR_ROLLOUT_CHECK } from "./operator-timeline";

export interface FlipFacts {
    readonly to: Dataplane;
    /** Operator 1.40+: eBPF implies `nftablesMode: Enabled` (InstallationSpec.IsNftables). */
    readonly nftablesUnderBpf: boolean;
    /** The flip wrote the kubernetes-services-endpoint ConfigMap (the first switch to eBPF). */
    readonly endpointWritten: boolean;
}

const index = (moments: readonly Moment[], what: string): number =>
    moments.findIndex((m) => m.what === what);

/** The index of the moment that completed the roll of calico-node's last generation. */
function lastRollout(moments: readonly Moment[]): number {
    const generation = moments
        .filter((m) => m.what.startsWith("calico-node generation "))
        .at(-1)
        ?.what.split(" ")
        .at(-1);
    return generation === undefined
        ? -1
        : index(moments, `calico-node rolled out generation ${generation}`);
}

/**
 * Whether the operator's rollout test could have passed when it set `bpfEnabled: true` at
 * `revision`. It sets it in the reconcile that writes calico-node's template, after that write
 * (tigera/operator pkg/controller/installation/core_controller.go @v1.40.2: components, then
 * setBPFUpdatesOnFelixConfiguration), reading calico-node from its cache (cmd/main.go caches every
 * kind but LicenseKey), which can still miss that write. So the test may have read calico-node as
 * it stood when that reconcile began (before the last template write), or any write since. `history`
 * holds the moments before the flip too: that state can be the settled one.
 */
function operatorSawRollout(history: readonly Moment[], revision: number): boolean {
    const calicoNode = history.filter(
        (m) => m.revision < revision && m.what.startsWith("calico-node "),
    );
    const writes = [...new Set(calicoNode.map((m) => m.revision))];
    const template =
        calicoNode.filter((m) => m.what.startsWith("calico-node generation ")).at(-1)?.revision ??
        -1;
    const reconcileStart = writes.filter((write) => write < template).at(-1) ?? template;
    const check = `calico-node ${OPERATOR_ROLLOUT_CHECK} `;
    const passesAt = (write: number) =>
        calicoNode
            .filter((m) => m.revision <= write && m.what.startsWith(check))
            .at(-1)
            ?.what.endsWith(" passes") === true;
    return writes.filter((write) => write >= reconcileStart).some(passesAt);
}

/**
 * `moments` are the flip's, in the order of their writes; `history` every moment the timeline
 * has, those before the flip too.
 */
export function operatorOrderProblems(
    moments: readonly Moment[],
    flip: FlipFacts,
    history: readonly Moment[] = moments,
): string[] {
    const problems: string[] = [];
    const bpf = flip.to === "bpf";
    const bpfEnabled = index(moments, `bpfEnabled ${String(bpf)}`);
    if (bpfEnabled < 0) return [`the operator never set bpfEnabled ${String(bpf)}`];
    const enabledAt = moments[bpfEnabled]?.revision ?? -1;
    if (bpf && !operatorSawRollout(history, enabledAt)) {
        problems.push(
            "bpfEnabled true though calico-node failed the operator's rollout check since its last template write",
        );
    }
    const rolled = lastRollout(moments);
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
