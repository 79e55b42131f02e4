/**
 * A small evaluator of Kubernetes NetworkPolicy ingress semantics (kubernetes/website
 * content/en/docs/concepts/services-networking/network-policies.md): a pod selected by no policy
 * with Ingress accepts everything; a selected pod accepts a connection if any selecting policy has
 * a rule whose ports and peers match. Used to test the emitted policies and to explain them in
 * `npm run verify`.
 */
import { cidrContains, parseCidr } from "./cidr";

export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly {
        key: string;
        operator: string;
        values?: readonly string[];
    }[];
}

export interface PolicyPeer {
    readonly podSelector?: LabelSelector;
    readonly namespaceSelector?: LabelSelector;
    readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface PolicyPort {
    readonly protocol?: string;
    readonly port?: number | string;
    readonly endPort?: number;
}

export interface NetworkPolicyObject {
    readonly metadata: { readonly name: string; readonly namespace: string };
    readonly spec: {
        readonly podSelector: LabelSelector;
        readonly policyTypes?: readonly string[];
        readonly ingress?: readonly {
            readonly from?: readonly PolicyPeer[];
            readonly ports?: readonly PolicyPort[];
        }[];
    };
}

export interface PodRef {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Labels of the pod's namespace (kubernetes.io/metadata.name is always among them). */
    readonly namespaceLabels?: Readonly<Record<string, string>>;
}

/** Where a connection comes from: a pod of the cluster, or an address outside it. */
export type Source =
    ({ readonly kind: "pod" } & PodRef) | { readonly kind: "ip"; readonly ip: string };

export interface Connection {
    readonly port: number;
    readonly protocol?: string;
}

export function selects(
    selector: LabelSelector,
    labels: Readonly<Record<string, string>>,
): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        const value = labels[e.key];
        switch (e.operator) {
            case "In":
                return value !== undefined && (e.values ?? []).includes(value);
            case "NotIn":
                return value === undefined || !(e.values ?? []).includes(value);
            case "Exists":
                return value !== undefined;
            case "DoesNotExist":
                return value === undefined;
            default:
                throw new Error(`unknown label selector operator ${e.operator}`);
        }
    });
    return byLabels && byExpressions;
}

function affectsIngress(policy: NetworkPolicyObject): boolean {
    // Without policyTypes, a policy is an Ingress policy (and Egress only if it has egress rules).
    return policy.spec.policyTypes?.includes("Ingress") ?? true;
}

function portMatches(ports: readonly PolicyPort[] | undefined, connection: Connection): boolean {
    if (ports === undefined || ports.length === 0) return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== (connection.protocol ?? "TCP")) return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "string")
            throw new Error(`named port ${p.port} is not supported here`);
        return p.endPort === undefined
            ? p.port === connection.port
            : connection.port >= p.port && connection.port <= p.endPort;
    });
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, source: Source): boolean {
    if (peer.ipBlock !== undefined) {
        if (source.kind !== "ip") return false;
        const block = parseCidr(peer.ipBlock.cidr);
        if (typeof block === "string") throw new Error(block);
        const excluded = (peer.ipBlock.except ?? []).some((e) => {
            const cidr = parseCidr(e);
            return typeof cidr !== "string" && cidrContains(cidr, source.ip);
        });
        return cidrContains(block, source.ip) && !excluded;
    }
    if (source.kind !== "pod") return false;
    const namespaceLabels = {
        "kubernetes.io/metadata.name": source.namespace,
        ...source.namespaceLabels,
    };
    const namespaceOk =
        peer.namespaceSelector === undefined
            ? source.namespace === policyNamespace
            : selects(peer.namespaceSelector, namespaceLabels);
    return (
        namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, source.labels))
    );
}

/** The policies that isolate the target pod for ingress. */
export function isolatingPolicies(
    policies: readonly NetworkPolicyObject[],
    target: PodRef,
): NetworkPolicyObject[] {
    return policies.filter(
        (p) =>
            p.metadata.namespace === target.namespace &&
            affectsIngress(p) &&
            selects(p.spec.podSelector, target.labels),
    );
}

/** Whether the target pod accepts the connection from the source. */
export function ingressAllowed(
    policies: readonly NetworkPolicyObject[],
    target: PodRef,
    source: Source,
    connection: Connection,
): boolean {
    const isolating = isolatingPolicies(policies, target);
    if (isolating.length === 0) return true;
    return isolating.some((p) =>
        (p.spec.ingress ?? []).some(
            (rule) =>
                portMatches(rule.ports, connection) &&
                (rule.from === undefined ||
                    rule.from.length === 0 ||
                    rule.from.some((peer) => peerMatches(peer, p.metadata.namespace, source))),
        ),
    );
}
