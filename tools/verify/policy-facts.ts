/** What yaobank's live NetworkPolicies mean for a request to the customer page. */
import {
    ingressAllowed,
    isolatingPolicies,
    type NetworkPolicyObject,
    type PodRef,
} from "../../core/network-policy";
import { AZURE_HEALTH_PROBE_SOURCE } from "../../components/yaobank/yaobank-policies";
import { ENTRY_TIER, NAMESPACE, podLabels } from "../../components/yaobank/yaobank-spec";
import { field } from "../../core/unstructured";

const CUSTOMER: PodRef = { namespace: NAMESPACE, labels: podLabels(ENTRY_TIER.name) };
const PAGE_PORT = { port: ENTRY_TIER.port };

export interface PolicyFacts {
    /** Names of the NetworkPolicies in yaobank's namespace. */
    readonly names: readonly string[];
    /** The client CIDRs the customer page is limited to; undefined when anyone may reach it. */
    readonly allowList: readonly string[] | undefined;
}

export function policyFacts(rawPolicies: readonly unknown[]): PolicyFacts {
    const policies = rawPolicies as NetworkPolicyObject[];
    const names = policies.map((p) => String(field(p, "metadata", "name"))).sort();
    const isolating = isolatingPolicies(policies, CUSTOMER);
    const rules = isolating.flatMap((p) => p.spec.ingress ?? []);
    const open =
        isolating.length === 0 || rules.some((r) => r.from === undefined || r.from.length === 0);
    const allowList = rules
        .flatMap((r) => r.from ?? [])
        .flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []))
        .filter((cidr) => cidr !== AZURE_HEALTH_PROBE_SOURCE);
    return { names, allowList: open ? undefined : allowList };
}

/** Whether the customer page's policies let a client address in. */
export function clientAllowed(rawPolicies: readonly unknown[], clientIp: string): boolean {
    return ingressAllowed(
        rawPolicies as NetworkPolicyObject[],
        CUSTOMER,
        { kind: "ip", ip: clientIp },
        PAGE_PORT,
    );
}
