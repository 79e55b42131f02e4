/**
 * What the verification observed, and whether it is what the dataplane promises: under iptables
 * kube-proxy SNATs LoadBalancer traffic to a node's IP (externalTrafficPolicy Cluster); Calico's
 * eBPF dataplane keeps the client's IP.
 */
import type { Dataplane } from "../../core/dataplane";
import { NFTABLES_PHASE } from "../../core/felix-log";

export type SourceKind = "node" | "client";

export function classifySource(sourceIp: string, nodeIps: readonly string[]): SourceKind {
    return nodeIps.includes(sourceIp) ? "node" : "client";
}

const EXPECTED_SOURCE: Record<Dataplane, SourceKind> = { iptables: "node", bpf: "client" };

export interface Observation {
    /** The stack's `dataplane`. */
    readonly expected: Dataplane;
    /** What the cluster runs (see liveDataplane). */
    readonly live: Dataplane | "switching" | undefined;
    /** What the switch still waits for (pendingSwitch), empty when settled. */
    readonly pending: readonly string[];
    /** Under eBPF: what is wrong with kube-proxy's health port (see healthz-port.ts); undefined when nothing. */
    readonly healthzProblem?: string | undefined;
    /** FelixConfiguration spec.nftablesMode (operator 1.40+ sets Enabled as soon as BPF is asked for). */
    readonly nftablesMode?: string | undefined;
    /** The HTTP status the page answered with. */
    readonly httpStatus: number;
    readonly nodeIps: readonly string[];
    /** The source IP the customer pod logged for our request; undefined if never seen. */
    readonly sourceIp: string | undefined;
    /**
     * Whether the live allow-list lets the observed client in; undefined when no allow-list is in
     * force or the client's address is not known (under iptables the app sees a node's).
     */
    readonly clientAllowed?: boolean | undefined;
}

export interface Verdict {
    readonly ok: boolean;
    readonly summary: string;
    readonly sourceKind: SourceKind | undefined;
}

/** The verdict table: the only passing rows are a settled dataplane showing its promised source IP. */
export function judge(o: Observation): Verdict {
    const sourceKind = o.sourceIp === undefined ? undefined : classifySource(o.sourceIp, o.nodeIps);
    const fail = (summary: string): Verdict => ({ ok: false, summary, sourceKind });
    if (o.live === undefined)
        return fail("cannot read Calico's Installation: the live dataplane is unknown");
    if (o.live === "switching")
        return fail(
            "Calico is between dataplanes: the operator has not finished the switch" +
                (o.nftablesMode === "Enabled" ? ` (nftablesMode Enabled: ${NFTABLES_PHASE})` : ""),
        );
    if (o.live !== o.expected)
        return fail(
            `the stack says ${o.expected} but Calico runs ${o.live}: run \`npm run lab -- up\``,
        );
    if (o.pending.length > 0)
        return fail(`the ${o.live} dataplane is not settled: ${o.pending.join("; ")}`);
    if (o.healthzProblem !== undefined) return fail(o.healthzProblem);
    if (o.httpStatus < 200 || o.httpStatus > 299) {
        return fail(
            `the page answered HTTP ${o.httpStatus}: the app is broken (customer could not ` +
                "serve summary's and database's data), whatever the source address says",
        );
    }
    if (o.sourceIp === undefined || sourceKind === undefined) {
        return fail("the request never showed up in the customer pods' logs");
    }
    if (sourceKind === EXPECTED_SOURCE[o.live] && o.clientAllowed === false) {
        return fail(
            `the page answered ${o.sourceIp}, which the allow-list (allowedClientCidrs) refuses: ` +
                "are the yaobank NetworkPolicies enforced?",
        );
    }
    if (sourceKind === EXPECTED_SOURCE[o.live]) {
        return {
            ok: true,
            sourceKind,
            summary:
                sourceKind === "node"
                    ? `iptables: the app saw node IP ${o.sourceIp}, as kube-proxy SNATs load-balanced traffic`
                    : `eBPF: the app saw ${o.sourceIp}, not a node IP: the client's address is preserved`,
        };
    }
    return fail(
        sourceKind === "node"
            ? `eBPF should preserve the client's address, but the app saw node IP ${o.sourceIp}` +
                  " (were the yaobank pods restarted after the switch?)"
            : `iptables should SNAT to a node IP, but the app saw ${o.sourceIp}, which is no node's` +
                  " (is externalTrafficPolicy still Cluster?)",
    );
}
