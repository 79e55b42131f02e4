/**
 * Where a cluster's API server listens, as calico-node must reach it directly (the
 * `kubernetes-services-endpoint` ConfigMap), read from an AKS FQDN or a kubeconfig.
 */
import { parse } from "yaml";
import { asRecord } from "./unstructured";

export interface ApiServer {
    /** Host name or IP address, IPv6 without brackets (what KUBERNETES_SERVICE_HOST takes). */
    readonly host: string;
    readonly port: number;
}

/** AKS serves its API server on 443 at the cluster's FQDN (MicrosoftDocs/azure-aks-docs articles/aks/api-server-authorized-ip-ranges.md @fb060ab). */
export const AKS_API_SERVER_PORT = 443;

export const aksApiServer = (fqdn: string): ApiServer => ({
    host: fqdn,
    port: AKS_API_SERVER_PORT,
});

/** `host:port`, with an IPv6 host in brackets: how the lab names an API server in triggers and messages. */
export const describeApiServer = ({ host, port }: ApiServer): string =>
    `${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * The API server of a kubeconfig's server URL. calico-node takes a host and a port only
 * (client-go rest.InClusterConfig joins KUBERNETES_SERVICE_HOST and _PORT), so a URL with a path
 * (a proxy such as Rancher's) cannot be expressed: a string says why.
 */
export function apiServerFromUrl(server: string): ApiServer | string {
    let url: URL;
    try {
        url = new URL(server);
    } catch {
        return "its server is not a URL";
    }
    if (url.protocol !== "https:") return `its server URL is ${url.protocol}, not https:`;
    if (url.pathname !== "/" && url.pathname !== "")
        return "its server URL has a path, which calico-node's KUBERNETES_SERVICE_HOST/PORT cannot carry";
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return { host, port: url.port === "" ? 443 : Number(url.port) };
}

const named = (list: unknown, name: unknown): Record<string, unknown> | undefined =>
    Array.isArray(list)
        ? asRecord((list as unknown[]).find((item) => asRecord(item)?.["name"] === name))
        : undefined;

/**
 * The API server of a kubeconfig's current context, as the Kubernetes provider will use it (it
 * takes the current context when none is named: pulumi/pulumi-kubernetes provider/pkg/provider/provider.go
 * Configure @94977969). A string says what is wrong, never quoting the kubeconfig (it holds credentials).
 */
export function kubeconfigApiServer(text: string): ApiServer | string {
    let config: Record<string, unknown> | undefined;
    try {
        config = asRecord(parse(text));
    } catch {
        return "it is not YAML";
    }
    const current = config?.["current-context"];
    if (typeof current !== "string" || current === "") return "it has no current-context";
    const context = asRecord(named(config?.["contexts"], current)?.["context"]);
    if (context === undefined) return `its current-context "${current}" is not among its contexts`;
    const cluster = asRecord(named(config?.["clusters"], context["cluster"])?.["cluster"]);
    const server = cluster?.["server"];
    if (typeof server !== "string")
        return `the cluster of its current-context "${current}" has no server URL`;
    return apiServerFromUrl(server);
}
