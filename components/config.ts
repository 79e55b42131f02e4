/**
 * The lab's stack configuration: every key, its default, and the rules it must follow. Pure: it
 * reads through a lookup function, so the same code serves `pulumi up` and the tests.
 */

import * as pulumi from "@pulumi/pulumi";
import { kubeconfigApiServer, type ApiServer } from "../core/api-server";
import { parseCidr } from "../core/cidr";
import { DATAPLANES, type Dataplane } from "../core/dataplane";
import { isOneOf, positiveInteger } from "../core/parse";
import { nearestKey, projectConfig } from "../core/project-config";
import { WINDOWS_POOL_NAME, windowsPoolGetsAksDefault } from "./cluster/cluster-spec";

export const PROJECT = "aks-calico-lab";

const EXTERNAL_SERVICE_MODES = ["Tunnel", "DSR"] as const;
export type ExternalServiceMode = (typeof EXTERNAL_SERVICE_MODES)[number];

const CLUSTER_MODES = ["aks", "existing"] as const;

/** An AKS cluster the lab did not create, as `existingAksCluster` names it. */
export interface AksClusterName {
    readonly resourceGroupName: string;
    readonly clusterName: string;
}

/**
 * The cluster the lab runs on: one it creates, or one that exists. The kubeconfig of `kubeconfig`
 * stays a Pulumi secret, read by the program on its own (pulumi.Config.requireSecret); the parser
 * keeps only the API server its current context names, which is not a secret.
 */
export type ClusterSource =
    | { readonly kind: "aks" }
    | { readonly kind: "kubeconfig"; readonly apiServer: ApiServer }
    | { readonly kind: "existing-aks"; readonly cluster: AksClusterName };

export interface LabConfig {
    /** Where the lab runs: an AKS cluster it creates (the keys below), or an existing cluster. */
    readonly cluster: ClusterSource;
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
    /** IPv4 blocks allowed to reach the API server; undefined leaves it open. */
    readonly apiServerAuthorizedIpRanges: readonly string[] | undefined;
}

/** The parsed configuration and the warnings it deserves (valid, but probably not what was meant). */
export interface ParsedLabConfig {
    readonly config: LabConfig;
    readonly warnings: readonly string[];
}

/**
 * All the problems of a stack's configuration, raised before any resource is registered. A RunError,
 * so the CLI prints the message alone, without a stack trace (@pulumi/pulumi cmd/run/run.js @v3.270.0).
 */
export class LabConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(
            problems.length === 1
                ? `invalid stack configuration: ${problems[0] ?? ""}${FIX}`
                : `invalid stack configuration${FIX}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "LabConfigError";
    }
}

/** The lab's command first: it brings its own CLI, which is not on PATH (docs/setup.md). */
const FIX =
    " (fix with `npm run lab -- config set <key> <value>`, or `npm run lab -- config rm <key>` for the default; `pulumi config …` where pulumi is on PATH)";

type Lookup = (key: string) => string | undefined;
/** Whether the stack holds a key's value encrypted (set with `--secret`). */
type IsSecret = (key: string) => boolean;
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
    positiveInteger(raw) ?? bad(key, raw, "an integer >= 1, in plain digits like 3");

/**
 * A list of CIDR blocks, as the CLI hands a Pulumi.yaml `array` key to the program: JSON text (pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs main.go @v3.259.0). The empty list, the default, means unset.
 */
const cidrList =
    (
        options: { ipv4Only?: boolean; max?: number; refuseOpen?: boolean } = {},
    ): Parser<readonly string[] | undefined> =>
    (raw, key) => {
        const allowed = `a list of ${options.ipv4Only ? "IPv4 " : ""}CIDR blocks, set with npm run lab -- config set --path '${key}[0]' 203.0.113.0/24`;
        let items: unknown;
        try {
            items = JSON.parse(raw);
        } catch {
            return bad(key, raw, allowed);
        }
        if (!Array.isArray(items) || !items.every((i) => typeof i === "string"))
            return bad(key, raw, allowed);
        const blocks = items.map((i) => i.trim());
        if (blocks.length === 0) return undefined;
        if (options.max !== undefined && blocks.length > options.max) {
            return new Problem(
                `${PROJECT}:${key} has ${blocks.length} blocks; allowed: at most ${options.max}`,
            );
        }
        const errors = blocks.flatMap((block) => {
            const cidr = parseCidr(block);
            if (typeof cidr === "string") return [cidr];
            if (options.ipv4Only && cidr.family !== 4) return [`"${block}" is not IPv4`];
            if (options.refuseOpen && cidr.prefix === 0)
                return [
                    `"${block}" lets every address in, as no list does: remove the key for that`,
                ];
            return [];
        });
        if (errors.length === 0) return blocks;
        return new Problem(`${PROJECT}:${key}: ${errors.join("; ")}; allowed: ${allowed}`);
    };

/**
 * A kubeconfig, kept as the API server of its current context. The message never quotes the value:
 * it holds credentials.
 */
const kubeconfig: Parser<ApiServer> = (raw, key) => {
    const apiServer = kubeconfigApiServer(raw);
    return typeof apiServer === "string"
        ? new Problem(
              `${PROJECT}:${key} is not a kubeconfig the lab can use: ${apiServer}; allowed: a kubeconfig ` +
                  `whose current context names a cluster with an https:// server URL`,
          )
        : apiServer;
};

/**
 * `<resource group>/<cluster name>`, each as Azure's API takes it: a resource group of 1 to 90
 * letters, digits, `-`, `_`, `(`, `)`, `.`, not ending in `.`; a cluster name of 1 to 63 letters,
 * digits, `-`, `_`, starting and ending with a letter or digit (learn.microsoft.com
 * rest/api/aks/managedclusters/listclusterusercredentials, resourceName pattern, api-version 2025-08-01).
 */
const aksClusterName: Parser<AksClusterName> = (raw, key) => {
    const match = /^([-\w.()]{0,89}[-\w()])\/([a-zA-Z0-9](?:[-\w]{0,61}[a-zA-Z0-9])?)$/.exec(raw);
    if (!match?.[1] || !match[2])
        return bad(key, raw, "<resource group>/<cluster name>, e.g. platform-rg/aks-prod");
    return { resourceGroupName: match[1], clusterName: match[2] };
};

/** An optional string: the default "" (Pulumi.yaml needs one, or the CLI calls the key required) means unset. */
const optional =
    <T>(parse: Parser<T>): Parser<T | undefined> =>
    (raw, key) =>
        raw === "" ? undefined : parse(raw, key);

/**
 * Every key: how to parse it, its default and what it means, as Pulumi.yaml declares them (a test
 * checks the two agree). Every key has a default: the CLI refuses to run a program whose Pulumi.yaml
 * key has none and the stack does not set it (pulumi/pulumi pkg/workspace/config.go
 * ValidateStackConfigAndApplyProjectConfig @v3.259.0), and it merges the defaults into the stack's
 * config, so the program cannot tell a default from a value the user set. Scalar keys are declared
 * `string`, so a malformed value reaches this code and gets its message (key, value, what is
 * allowed) instead of the CLI's type error; lists are `array`, set with `--path`.
 */
export const CONFIG_KEYS = {
    cluster: {
        parse: oneOf(CLUSTER_MODES),
        default: "aks",
        type: "string",
        description:
            "aks: the lab creates a resource group and an AKS cluster; existing: it uses the cluster named by existingKubeconfig or existingAksCluster.",
    },
    existingKubeconfig: {
        // Not `secret: true` in Pulumi.yaml: the CLI would then refuse its default "" as not encrypted
        // (pulumi/pulumi pkg/workspace/config.go validateStackConfigValue @v3.259.0); the program checks it.
        parse: optional(kubeconfig),
        default: "",
        type: "string",
        description:
            "With cluster existing: the cluster's kubeconfig, set as a secret (pulumi config set --secret existingKubeconfig < kubeconfig).",
    },
    existingAksCluster: {
        parse: optional(aksClusterName),
        default: "",
        type: "string",
        description:
            "With cluster existing: an AKS cluster as <resource group>/<cluster name>; the lab reads its user credentials from Azure.",
    },
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
        type: "string",
        description: "Node count of the Linux system pool (an integer >= 1).",
    },
    nodeVmSize: {
        parse: matching(/^Standard_[A-Za-z0-9_]+$/, "an Azure VM size such as Standard_D2s_v3"),
        default: "Standard_D2s_v3",
        type: "string",
        description: "VM size of the Linux nodes (the size of the published AKS eBPF benchmark).",
    },
    kubernetesVersion: {
        parse: optional(
            matching(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, "a version such as 1.33 or 1.33.2"),
        ),
        default: "",
        type: "string",
        description: "AKS Kubernetes version such as 1.33 or 1.33.2; empty means the AKS default.",
    },
    windowsNodePool: {
        parse: boolean,
        default: "false",
        type: "string",
        description: "Add a Windows node pool named npwin (iptables only): true or false.",
    },
    wireguard: {
        parse: boolean,
        default: "false",
        type: "string",
        description: "Calico WireGuard encryption (iptables only in this lab): true or false.",
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
        type: "string",
        description:
            "NetworkPolicies for yaobank: default-deny ingress, each tier open only to its caller (true or false).",
    },
    allowedClientCidrs: {
        parse: cidrList(),
        default: "[]",
        type: "array",
        description: "CIDR blocks allowed to reach the yaobank page; empty lets anyone in.",
    },
    apiServerAuthorizedIpRanges: {
        // AKS: at most 200 ranges, IPv4 CIDR format (MicrosoftDocs/azure-aks-docs
        // articles/aks/api-server-authorized-ip-ranges.md @fb060ab).
        parse: cidrList({ ipv4Only: true, max: 200, refuseOpen: true }),
        default: "[]",
        type: "array",
        description:
            "IPv4 CIDR blocks allowed to reach the cluster's API server; empty leaves it open to the internet.",
    },
} as const;

type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * Keys the stack sets in the project's namespace that Pulumi.yaml does not declare: the CLI hands
 * them to the program without a word, so a misspelled `dataPlane` would leave the dataplane as it was.
 */
function undeclaredKeyProblems(setKeys: readonly string[]): string[] {
    const declared = Object.keys(projectConfig().config);
    return setKeys
        .filter((key) => !declared.includes(key))
        .map((key) => {
            const nearest = nearestKey(key, declared);
            return (
                `${PROJECT}:${key} is not a setting of this lab` +
                `${nearest === undefined ? "" : `; did you mean ${nearest}?`} ` +
                `(remove it with \`npm run lab -- config rm ${key}\`; the settings are in Pulumi.yaml)`
            );
        });
}

/** The settings that shape the AKS cluster the lab creates: without effect on an existing cluster. */
const AKS_ONLY_KEYS = [
    "location",
    "nodeCount",
    "nodeVmSize",
    "kubernetesVersion",
    "windowsNodePool",
    "apiServerAuthorizedIpRanges",
] as const satisfies readonly ConfigKey[];

/**
 * Reads and validates the whole configuration; throws LabConfigError listing every problem.
 * `setKeys`: every key the stack's configuration has in the project's namespace, without the prefix.
 * `isSecret` tells a value set with `--secret` (pulumi.runtime.isConfigSecret in the program).
 */
export function parseLabConfig(
    lookup: Lookup,
    setKeys: readonly string[] = [],
    isSecret: IsSecret = () => false,
): ParsedLabConfig {
    const problems: string[] = undeclaredKeyProblems(setKeys);
    const read = <K extends ConfigKey>(key: K) => {
        const spec = CONFIG_KEYS[key];
        const raw = lookup(key) ?? spec.default;
        const parsed = (spec.parse as Parser<unknown>)(raw, key);
        if (parsed instanceof Problem) {
            problems.push(parsed.message);
            return undefined;
        }
        return parsed as Exclude<ReturnType<(typeof CONFIG_KEYS)[K]["parse"]>, Problem>;
    };

    const given = (key: ConfigKey) => (lookup(key) ?? "") !== "";
    const kubeconfigServer = read("existingKubeconfig");
    const aksCluster = read("existingAksCluster");
    const mode = read("cluster");
    // A source that is there but malformed has its own message; nothing more to say about the mode.
    const malformed =
        (given("existingKubeconfig") && kubeconfigServer === undefined) ||
        (given("existingAksCluster") && aksCluster === undefined);
    const cluster = malformed
        ? undefined
        : clusterSource(
              mode,
              kubeconfigServer,
              aksCluster,
              isSecret(`${PROJECT}:existingKubeconfig`),
              problems,
          );
    const values = {
        cluster,
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
        apiServerAuthorizedIpRanges: read("apiServerAuthorizedIpRanges"),
    };
    problems.push(...combinationProblems(values));
    if (problems.length > 0) throw new LabConfigError(problems);

    const config = values as LabConfig;
    const changed = AKS_ONLY_KEYS.filter(
        (key) => (lookup(key) ?? CONFIG_KEYS[key].default) !== CONFIG_KEYS[key].default,
    );
    return { config, warnings: combinationWarnings(config, changed) };
}

const SOURCES = `${PROJECT}:existingKubeconfig (pulumi config set --secret existingKubeconfig < <kubeconfig file>) or ${PROJECT}:existingAksCluster (<resource group>/<cluster name>)`;

/** The cluster the keys name, or undefined after pushing what is wrong with them. */
function clusterSource(
    mode: (typeof CLUSTER_MODES)[number] | undefined,
    kubeconfigServer: ApiServer | undefined,
    aksCluster: AksClusterName | undefined,
    kubeconfigIsSecret: boolean,
    problems: string[],
): ClusterSource | undefined {
    if (kubeconfigServer !== undefined && !kubeconfigIsSecret) {
        problems.push(
            `${PROJECT}:existingKubeconfig is stored in plain text; allowed: a secret, set with ` +
                `pulumi config set --secret existingKubeconfig < <kubeconfig file>`,
        );
    }
    if (mode === "aks") {
        const set = [
            ...(kubeconfigServer === undefined ? [] : ["existingKubeconfig"]),
            ...(aksCluster === undefined ? [] : ["existingAksCluster"]),
        ];
        if (set.length === 0) return { kind: "aks" };
        problems.push(
            `${set.map((key) => `${PROJECT}:${key}`).join(" and ")} ${set.length === 1 ? "is" : "are"} ` +
                `set with ${PROJECT}:cluster "aks", which creates a new cluster; set cluster existing ` +
                `to use the one named, or remove ${set.join(" and ")}`,
        );
        return undefined;
    }
    if (mode === undefined) return undefined;
    if (kubeconfigServer !== undefined && aksCluster !== undefined) {
        problems.push(
            `${PROJECT}:existingKubeconfig and ${PROJECT}:existingAksCluster are both set with ` +
                `${PROJECT}:cluster "existing"; allowed: exactly one (pulumi config rm one of them)`,
        );
        return undefined;
    }
    if (kubeconfigServer !== undefined) return { kind: "kubeconfig", apiServer: kubeconfigServer };
    if (aksCluster !== undefined) return { kind: "existing-aks", cluster: aksCluster };
    problems.push(
        `${PROJECT}:cluster is "existing" but names no cluster; allowed: exactly one of ${SOURCES}`,
    );
    return undefined;
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
    // On an existing cluster the key adds no pool (a warning says so).
    if (v.windowsNodePool === true && v.cluster?.kind === "aks") {
        problems.push(
            `${PROJECT}:windowsNodePool is true with ${PROJECT}:dataplane "bpf"; Calico's eBPF dataplane ` +
                `does not support clusters with Windows nodes: remove the pool first ` +
                `(npm run lab -- config set windowsNodePool false, then npm run lab -- up), then switch to bpf`,
        );
    }
    // Not an upstream limit: the lab has built and checked its eBPF path with WireGuard off only (the
    // bpf Felix patch sends wireguardEnabled false), so it refuses the combination instead of
    // silently dropping the setting.
    if (v.wireguard === true) {
        problems.push(
            `${PROJECT}:wireguard is true with ${PROJECT}:dataplane "bpf"; allowed with bpf: false ` +
                `(this lab turns WireGuard off before switching to eBPF on AKS)`,
        );
    }
    return problems;
}

/** The node count above which a preview warns that the lab is billed per node-hour. */
const LARGE_NODE_COUNT = 10;

function combinationWarnings(config: LabConfig, changedAksKeys: readonly string[]): string[] {
    const warnings = [...dataplaneWarnings(config)];
    if (config.cluster.kind !== "aks") {
        if (changedAksKeys.length > 0) {
            warnings.push(
                `${changedAksKeys.map((key) => `${PROJECT}:${key}`).join(", ")} ` +
                    `${changedAksKeys.length === 1 ? "has" : "have"} no effect with ${PROJECT}:cluster ` +
                    `"existing": the lab creates no Azure resource there (pulumi config rm ${changedAksKeys.join(" ")})`,
            );
        }
        return [...warnings, ...clientCidrWarnings(config)];
    }
    if (config.nodeCount > LARGE_NODE_COUNT) {
        warnings.push(
            `${PROJECT}:nodeCount is ${config.nodeCount}: ${config.nodeCount} ${config.nodeVmSize} VMs ` +
                `are billed by the hour while the lab is up; the lab needs 2`,
        );
    }
    if (config.windowsNodePool && windowsPoolGetsAksDefault(config.kubernetesVersion)) {
        const version =
            config.kubernetesVersion === undefined
                ? "unset, so AKS picks its default version"
                : quoted(config.kubernetesVersion);
        warnings.push(
            `${PROJECT}:windowsNodePool is true with ${PROJECT}:kubernetesVersion ${version}: the ` +
                `Windows pool ${WINDOWS_POOL_NAME} gets AKS's default Windows Server, 2025 from 1.37, which ` +
                `AKS does not list for Calico (Windows Server 2019 and 2022 only); set kubernetesVersion ` +
                `to 1.36 or earlier to keep Windows Server 2022`,
        );
    }
    if (config.apiServerAuthorizedIpRanges !== undefined) {
        warnings.push(
            `${PROJECT}:apiServerAuthorizedIpRanges limits the API server to ` +
                `${config.apiServerAuthorizedIpRanges.join(", ")}: npm run lab -- up, npm run verify and npm run bench ` +
                `reach it from this machine, so include its public address (AKS adds the cluster's own outbound IP)`,
        );
    }
    return [...warnings, ...clientCidrWarnings(config)];
}

function clientCidrWarnings(config: LabConfig): string[] {
    const warnings: string[] = [];
    if (config.dataplane === "iptables" && config.allowedClientCidrs !== undefined) {
        // kube-proxy SNATs load-balanced traffic to a node's IP (externalTrafficPolicy Cluster);
        // Calico's policy sees the client's address only where the pod runs on the node the load
        // balancer picked (projectcalico/calico felix/rules/static.go: policy in FORWARD, before
        // kube-proxy's MASQUERADE in POSTROUTING; see docs/security.md "Policies").
        warnings.push(
            `${PROJECT}:allowedClientCidrs is set with ${PROJECT}:dataplane "iptables": kube-proxy ` +
                `replaces client addresses with node addresses on the way between nodes, so the ` +
                `allow-list refuses listed clients whenever Azure's load balancer picks a node without ` +
                `the customer pod; switch to bpf for an allow-list that sees every client's address`,
        );
    }
    return warnings;
}

function dataplaneWarnings(config: LabConfig): string[] {
    // The CLI merges Pulumi.yaml's default (Tunnel) into every stack, so only a change from it can
    // be what the user asked for.
    if (
        config.dataplane === "iptables" &&
        config.bpfExternalServiceMode !== CONFIG_KEYS.bpfExternalServiceMode.default
    ) {
        return [
            `${PROJECT}:bpfExternalServiceMode is ${quoted(config.bpfExternalServiceMode)} but has no effect with ` +
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
