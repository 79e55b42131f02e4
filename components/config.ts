/**
 * The lab's stack configuration: every key, its default, and the rules it must follow. Pure: it
 * reads through a lookup function, so the same code serves `pulumi up` and the tests.
 */

import { parseCidr } from "../core/cidr";
import { DATAPLANES, type Dataplane } from "../core/dataplane";
import { isOneOf, positiveInteger } from "../core/parse";

export const PROJECT = "aks-calico-lab";

const EXTERNAL_SERVICE_MODES = ["Tunnel", "DSR"] as const;
export type ExternalServiceMode = (typeof EXTERNAL_SERVICE_MODES)[number];

export interface LabConfig {
    /** Calico's Linux dataplane. */
    readonly dataplane: Dataplane;
    /** Azure region of the resource group and cluster. */
    readonly location: string;
    /** Node count of the Linux system pool. */
    readonly nodeCount: number;
    /** VM size of the Linux system pool. */
    readonly nodeVmSize: string;
    /** AKS Kubernetes version; undefined lets AKS pick its default. */
    readonly kubernetesVersion: string | undefined;
    /** Whether to add the Windows pool `npwin`. */
    readonly windowsNodePool: boolean;
    /** Calico WireGuard encryption (FelixConfiguration `wireguardEnabled`). */
    readonly wireguard: boolean;
    /** How the eBPF dataplane forwards NodePort/LoadBalancer traffic. */
    readonly bpfExternalServiceMode: ExternalServiceMode;
    /** Whether to enforce the yaobank NetworkPolicies. */
    readonly yaobankPolicies: boolean;
    /** Client CIDR blocks allowed to reach the customer page; undefined lets anyone in. */
    readonly allowedClientCidrs: readonly string[] | undefined;
}

/** The parsed configuration and the warnings it deserves (valid, but probably not what was meant). */
export interface ParsedLabConfig {
    readonly config: LabConfig;
    readonly warnings: readonly string[];
}

/** All the problems of a stack's configuration, raised before any resource is registered. */
export class LabConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(
            `invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
                `Fix with \`pulumi config set <key> <value>\` (or \`pulumi config rm <key>\` for the default).`,
        );
        this.name = "LabConfigError";
    }
}

type Lookup = (key: string) => string | undefined;
type Parser<T> = (raw: string, key: string) => T | Problem;

class Problem {
    constructor(readonly message: string) {}
}

const quoted = (raw: string): string => JSON.stringify(raw);
const bad = (key: string, raw: string, allowed: string): Problem =>
    new Problem(`${PROJECT}:${key} is ${quoted(raw)}; allowed: ${allowed}`);

const oneOf =
    <T extends string>(values: readonly T[]): Parser<T> =>
    (raw, key) =>
        isOneOf(values, raw) ? raw : bad(key, raw, values.join(" | "));

const matching =
    (pattern: RegExp, allowed: string): Parser<string> =>
    (raw, key) =>
        pattern.test(raw) ? raw : bad(key, raw, allowed);

const boolean: Parser<boolean> = (raw, key) =>
    raw === "true" ? true : raw === "false" ? false : bad(key, raw, "true | false");

const atLeastOne: Parser<number> = (raw, key) =>
    positiveInteger(raw) ?? bad(key, raw, "an integer >= 1");

const cidrList: Parser<readonly string[]> = (raw, key) => {
    const allowed = 'a JSON list or comma-separated CIDR blocks, e.g. ["203.0.113.0/24"]';
    let items: unknown;
    try {
        items = raw.trim().startsWith("[") ? JSON.parse(raw) : raw.split(",");
    } catch {
        return bad(key, raw, allowed);
    }
    if (!Array.isArray(items) || !items.every((i) => typeof i === "string"))
        return bad(key, raw, allowed);
    const blocks = items.map((i) => i.trim()).filter((i) => i !== "");
    if (blocks.length === 0) {
        return bad(
            key,
            raw,
            `${allowed}; to let anyone in, remove the key (pulumi config rm ${key})`,
        );
    }
    const errors = blocks.map(parseCidr).filter((b): b is string => typeof b === "string");
    if (errors.length === 0) return blocks;
    return new Problem(
        `${PROJECT}:${key}: ${errors.join("; ")}; allowed: CIDR blocks such as 203.0.113.0/24`,
    );
};

/** Every key: how to parse it, its default (undefined = optional), and what it means. */
export const CONFIG_KEYS = {
    dataplane: {
        parse: oneOf(DATAPLANES),
        default: "iptables",
        type: "string",
        description: "Calico Linux dataplane: iptables or bpf (eBPF).",
    },
    location: {
        parse: matching(/^[a-z][a-z0-9]*$/, "an Azure region name such as eastus or westeurope"),
        default: "eastus",
        type: "string",
        description: "Azure region for the resource group and the cluster.",
    },
    nodeCount: {
        parse: atLeastOne,
        default: "2",
        type: "integer",
        description: "Node count of the Linux system pool.",
    },
    nodeVmSize: {
        parse: matching(/^Standard_[A-Za-z0-9_]+$/, "an Azure VM size such as Standard_D2s_v3"),
        default: "Standard_D2s_v3",
        type: "string",
        description: "VM size of the Linux nodes (the size of the published AKS eBPF benchmark).",
    },
    kubernetesVersion: {
        parse: matching(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, "a version such as 1.33 or 1.33.2"),
        default: undefined,
        type: "string",
        description: "AKS Kubernetes version; unset means the AKS default.",
    },
    windowsNodePool: {
        parse: boolean,
        default: "false",
        type: "boolean",
        description: "Add a Windows node pool named npwin (iptables only).",
    },
    wireguard: {
        parse: boolean,
        default: "false",
        type: "boolean",
        description: "Calico WireGuard encryption (iptables only in this lab).",
    },
    bpfExternalServiceMode: {
        parse: oneOf(EXTERNAL_SERVICE_MODES),
        default: "Tunnel",
        type: "string",
        description:
            "eBPF NodePort/LoadBalancer forwarding: Tunnel or DSR. No effect with iptables.",
    },
    yaobankPolicies: {
        parse: boolean,
        default: "true",
        type: "boolean",
        description:
            "NetworkPolicies for yaobank: default-deny ingress, each tier open only to its caller.",
    },
    allowedClientCidrs: {
        parse: cidrList,
        default: undefined,
        type: "array",
        description: "CIDR blocks allowed to reach the yaobank page; unset lets anyone in.",
    },
} as const;

type ConfigKey = keyof typeof CONFIG_KEYS;

/** Reads and validates the whole configuration; throws LabConfigError listing every problem. */
export function parseLabConfig(lookup: Lookup): ParsedLabConfig {
    const problems: string[] = [];
    const read = <K extends ConfigKey>(key: K) => {
        const spec = CONFIG_KEYS[key];
        const raw = lookup(key) ?? spec.default;
        if (raw === undefined) return undefined;
        const parsed = (spec.parse as Parser<unknown>)(raw, key);
        if (parsed instanceof Problem) {
            problems.push(parsed.message);
            return undefined;
        }
        return parsed as Exclude<ReturnType<(typeof CONFIG_KEYS)[K]["parse"]>, Problem>;
    };

    const values = {
        dataplane: read("dataplane"),
        location: read("location"),
        nodeCount: read("nodeCount"),
        nodeVmSize: read("nodeVmSize"),
        kubernetesVersion: read("kubernetesVersion"),
        windowsNodePool: read("windowsNodePool"),
        wireguard: read("wireguard"),
        bpfExternalServiceMode: read("bpfExternalServiceMode"),
        yaobankPolicies: read("yaobankPolicies"),
        allowedClientCidrs: read("allowedClientCidrs"),
    };
    problems.push(...combinationProblems(values));
    if (problems.length > 0) throw new LabConfigError(problems);

    const config = values as LabConfig;
    return { config, warnings: combinationWarnings(config, lookup) };
}

type MaybeValues = { [K in keyof LabConfig]: LabConfig[K] | undefined };

function combinationProblems(v: MaybeValues): string[] {
    const problems: string[] = [];
    if (v.allowedClientCidrs !== undefined && v.yaobankPolicies === false) {
        problems.push(
            `${PROJECT}:allowedClientCidrs is set with ${PROJECT}:yaobankPolicies false; the ` +
                `allow-list is a NetworkPolicy: set yaobankPolicies true, or remove allowedClientCidrs`,
        );
    }
    if (v.dataplane !== "bpf") return problems;
    // Calico's eBPF docs list "Clusters with some eBPF nodes and some standard data plane and/or
    // Windows nodes" as unsupported (tigera/docs calico_versioned_docs/version-3.32/operations/ebpf/enabling-ebpf.mdx).
    if (v.windowsNodePool === true) {
        problems.push(
            `${PROJECT}:windowsNodePool is true with ${PROJECT}:dataplane "bpf"; Calico's eBPF dataplane ` +
                `does not support clusters with Windows nodes: remove the pool first ` +
                `(pulumi config set windowsNodePool false && pulumi up), then switch to bpf`,
        );
    }
    // The hand-run lab disables WireGuard before eBPF on AKS (Azure/kubernetes-hackfest
    // labs/networking/calico-lab-exercise/modules/calicooss/ebpf-dataplane.md).
    if (v.wireguard === true) {
        problems.push(
            `${PROJECT}:wireguard is true with ${PROJECT}:dataplane "bpf"; allowed with bpf: false ` +
                `(this lab turns WireGuard off before switching to eBPF on AKS)`,
        );
    }
    return problems;
}

function combinationWarnings(config: LabConfig, lookup: Lookup): string[] {
    const warnings = [...dataplaneWarnings(config, lookup)];
    if (config.dataplane === "iptables" && config.allowedClientCidrs !== undefined) {
        // kube-proxy SNATs load-balanced traffic to a node's IP (externalTrafficPolicy Cluster);
        // Calico's policy sees the client's address only where the pod runs on the node the load
        // balancer picked (projectcalico/calico felix/rules/static.go: policy in FORWARD, before
        // kube-proxy's MASQUERADE in POSTROUTING; see README "Policies").
        warnings.push(
            `${PROJECT}:allowedClientCidrs is set with ${PROJECT}:dataplane "iptables": kube-proxy ` +
                `replaces client addresses with node addresses on the way between nodes, so the ` +
                `allow-list refuses listed clients whenever Azure's load balancer picks a node without ` +
                `the customer pod; switch to bpf for an allow-list that sees every client's address`,
        );
    }
    return warnings;
}

function dataplaneWarnings(config: LabConfig, lookup: Lookup): string[] {
    const explicitMode = lookup("bpfExternalServiceMode");
    if (config.dataplane === "iptables" && explicitMode !== undefined) {
        return [
            `${PROJECT}:bpfExternalServiceMode is ${quoted(explicitMode)} but has no effect with ` +
                `${PROJECT}:dataplane "iptables"; it applies once you switch to bpf`,
        ];
    }
    // tigera/docs calico/operations/ebpf/troubleshoot-ebpf.mdx: with DSR, traffic through AWS and
    // GCP load balancers fails, as they expect replies from the node they sent to.
    if (config.dataplane === "bpf" && config.bpfExternalServiceMode === "DSR") {
        return [
            `${PROJECT}:bpfExternalServiceMode is "DSR": Calico documents that DSR breaks traffic ` +
                `through cloud load balancers on AWS and GCP, and it is untested behind Azure's; if ` +
                `the yaobank URL stops answering, set it back to Tunnel`,
        ];
    }
    return [];
}
