/** The verification's report: one screen for people, JSON for machines. */
import type { Dataplane } from "../../core/dataplane";
import type { ClusterEnvironment } from "../kube/environment";
import type { SourceKind } from "./verdict";
import type { HealthzCheck } from "./healthz-port";

export interface Report {
    readonly expected: Dataplane;
    readonly live: Dataplane | "switching" | "unknown";
    readonly url: string;
    readonly httpStatus: number;
    readonly attempts: number;
    readonly sourceIp: string | undefined;
    readonly sourceKind: SourceKind | undefined;
    readonly nodeIps: readonly string[];
    /** yaobank's NetworkPolicies, and the customer page's allow-list if there is one. */
    readonly policies: readonly string[];
    readonly allowList?: readonly string[];
    /** Whether the allow-list lets this request's client in (known under eBPF only). */
    readonly clientAllowed?: boolean;
    readonly ok: boolean;
    readonly summary: string;
    /** What the cluster runs: versions, Felix's nftables mode and healthz port, kube-proxy, nodes. */
    readonly environment: ClusterEnvironment;
    /** Under eBPF: kube-proxy's health port and, per node, whether Felix's log shows it serving it. */
    readonly healthz?: HealthzCheck;
    /** When the request was never found in the logs: how long we looked and what we saw instead. */
    readonly logSearch?: {
        readonly waitedSeconds: number;
        readonly entriesSeen: number;
        readonly sourcesSeen: readonly string[];
    };
}

export function renderReport(report: Report): string {
    const source =
        report.sourceIp === undefined
            ? "not seen"
            : `${report.sourceIp} (${report.sourceKind === "node" ? "a node's IP" : "not a node's IP"})`;
    const rows: [string, string][] = [
        [
            "dataplane",
            `expected ${report.expected}, live ${report.live}` +
                (report.environment.nftablesMode === undefined
                    ? ""
                    : ` (nftablesMode ${report.environment.nftablesMode})`),
        ],
        [
            "request",
            `GET ${report.url} -> HTTP ${report.httpStatus} (${report.attempts} attempt(s))`,
        ],
        ["source IP", source],
        ["node IPs", report.nodeIps.join(", ") || "none found"],
        ["policies", report.policies.join(", ") || "none"],
    ];
    if (report.allowList !== undefined) {
        const expectation =
            report.clientAllowed === undefined
                ? "(the client's address is not visible under iptables)"
                : report.clientAllowed
                  ? "(lets this client in)"
                  : "(refuses this client)";
        rows.push(["allow-list", `${report.allowList.join(", ")} ${expectation}`]);
    }
    if (report.logSearch !== undefined) {
        const { waitedSeconds, entriesSeen, sourcesSeen } = report.logSearch;
        rows.push([
            "logs",
            `looked for ${waitedSeconds}s; saw ${entriesSeen} request(s)` +
                (sourcesSeen.length > 0 ? ` from ${sourcesSeen.join(", ")}` : "") +
                " but not this one",
        ]);
    }
    rows.push(...environmentRows(report.environment));
    if (report.healthz !== undefined) rows.push(...healthzRows(report.healthz));
    rows.push(["verdict", `${report.ok ? "PASS" : "FAIL"}: ${report.summary}`]);
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n") + "\n";
}

const SERVED_BY: Record<HealthzCheck["nodes"][number]["servedBy"], string> = {
    felix: "served by Felix",
    other: "NOT served by Felix",
    unknown: "not known",
};

/** The health port, then a row per node: what Felix's log says (verify sees no node sockets). */
function healthzRows(healthz: HealthzCheck): [string, string][] {
    if (healthz.port === undefined) return [["healthz", healthz.source]];
    return [
        ["healthz", `port ${healthz.port} (${healthz.source}); per node, from Felix's log only`],
        ...healthz.nodes.map((node): [string, string] => [
            "healthz",
            `${node.node}: ${SERVED_BY[node.servedBy]}; ${node.detail}`,
        ]),
    ];
}

const orUnknown = (value: string | undefined): string => value ?? "unknown";

/** The environment, a row per fact and one per node. */
function environmentRows(environment: ClusterEnvironment): [string, string][] {
    const healthz = environment.kubeProxyHealthzPort;
    const proxy = environment.kubeProxyMode;
    return [
        [
            "calico",
            `${orUnknown(environment.calicoVersion)} (tigera-operator ${orUnknown(environment.operatorVersion)})`,
        ],
        [
            "felix",
            `nftablesMode ${orUnknown(environment.nftablesMode)}; kube-proxy healthz port ` +
                (healthz === undefined
                    ? "not set (Felix's default)"
                    : `${healthz.port} (${healthz.field})`),
        ],
        [
            "kube-proxy",
            proxy === undefined
                ? "mode unknown"
                : proxy.source === "flag"
                  ? `${proxy.mode} (--proxy-mode)`
                  : `${proxy.mode} (kube-proxy's default: no --proxy-mode flag)`,
        ],
        ...environment.nodes.map((node): [string, string] => [
            "node",
            `${node.name}: ${orUnknown(node.osImage)}, kernel ${orUnknown(node.kernelVersion)}`,
        ]),
    ];
}
