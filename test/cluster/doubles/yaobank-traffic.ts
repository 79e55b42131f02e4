/**
 * The yaobank traffic double: what a request to the yaobank LoadBalancer address does on AKS, as far
 * as `npm run verify` can see it: the customer page answers, and the customer pod's log gets a
 * werkzeug access-log line whose client address is what the dataplane left of the real client's.
 * The decisions are pure; serveCustomer is the small HTTP server run.ts listens with.
 *
 * What is a stand-in here, and what is not:
 * - No packet is forwarded by a dataplane, and no customer app runs: the server listening on the
 *   load balancer double's frontend address (127.0.0.100+) answers in the customer pod's place and
 *   writes the line the pod would log into the file kwok serves as that pod's log.
 * - The source IP in that line is decided here, from the dataplane the Felix double last brought up
 *   on the node the load balancer chose (run.ts), never from what the lab asked for:
 *   - iptables: kube-proxy marks every load-balanced packet of an externalTrafficPolicy Cluster
 *     Service for masquerade (kubernetes/kubernetes pkg/proxy/iptables/proxier.go syncProxyRules:
 *     "masquerade traffic for ... external destinations" -> KUBE-MARK-MASQ unless
 *     ExternalPolicyLocal), so the pod sees the forwarding node's IP ("The source IP on the packet
 *     that's delivered to the pod becomes the private IP of the node", MicrosoftDocs
 *     load-balancer-standard.md; ../shared/reference/calico-aks-facts.md section 7);
 *   - eBPF: Felix's BPF programs on the node's interface take the packet before iptables and keep
 *     the client's address, for any externalTrafficPolicy (Calico docs about-ebpf.mdx feature table,
 *     "Preserves external source IP: eBPF: Yes"); to a pod on another node they tunnel it
 *     (projectcalico/calico api/pkg/apis/projectcalico/v3/felixconfig.go @v3.31.2
 *     BPFExternalServiceMode: Tunnel, the default, or DSR, both with the client's address);
 *   - a node whose Felix never brought eBPF up is still served by kube-proxy's rules (AKS runs
 *     kube-proxy under both dataplanes): iptables.
 * - The node that forwards: Azure Load Balancer hashes each flow's five-tuple over the healthy
 *   backends (learn.microsoft.com azure/load-balancer/distribution-mode-concepts, "Hash based");
 *   the lab's TCP probe of the NodePort passes on every node under both dataplanes
 *   (components/yaobank/yaobank-spec.ts loadBalancerService). Here the client's port picks the node.
 * - The backend pod: one of the Service's ready endpoints (EndpointSlice conditions.ready, nil meaning
 *   ready: k8s.io/api discovery/v1 types.go), as kube-proxy and Felix pick among them.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { dirname } from "node:path";
import { field } from "../../../core/unstructured";
import type { Dataplane } from "../../../core/dataplane";
import { criLogLine } from "../harness/kwok";

/** A node as the load balancer's backend pool sees it. */
export interface NodeAddress {
    readonly name: string;
    /** Its InternalIP: the address kube-proxy's masquerade gives load-balanced packets. */
    readonly ip: string;
}

export interface Client {
    readonly address: string;
    readonly port: number;
}

/** The address the customer pod sees for a client whose flow the node `forwarder` forwarded. */
export function sourceIpSeen(dataplane: Dataplane, client: string, forwarder: NodeAddress): string {
    return dataplane === "bpf" ? client : forwarder.ip;
}

/** The nodes with an InternalIP, by name: the load balancer's backend pool. */
export function nodeAddresses(nodes: readonly unknown[]): NodeAddress[] {
    return nodes
        .flatMap((node) => {
            const name = field(node, "metadata", "name");
            const addresses = field(node, "status", "addresses");
            const internal = Array.isArray(addresses)
                ? (addresses as unknown[]).find((a) => field(a, "type") === "InternalIP")
                : undefined;
            const ip = field(internal, "address");
            return typeof name === "string" && typeof ip === "string" ? [{ name, ip }] : [];
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The node a flow lands on: a stand-in for the five-tuple hash, varying with the client's port. */
export function forwardingNode(
    nodes: readonly NodeAddress[],
    client: Client,
): NodeAddress | undefined {
    return nodes.length === 0 ? undefined : nodes[client.port % nodes.length];
}

/** A Service's endpoint that a proxy may send to: its pod and the node that runs it. */
export interface Backend {
    readonly pod: string;
    readonly node: string;
}

/** The ready pod endpoints of a Service's EndpointSlices, each pod once. */
export function readyBackends(slices: readonly unknown[]): Backend[] {
    const backends = new Map<string, Backend>();
    for (const slice of slices) {
        const endpoints = field(slice, "endpoints");
        for (const endpoint of Array.isArray(endpoints) ? (endpoints as unknown[]) : []) {
            if (field(endpoint, "conditions", "ready") === false) continue;
            if (field(endpoint, "targetRef", "kind") !== "Pod") continue;
            const pod = field(endpoint, "targetRef", "name");
            const node = field(endpoint, "nodeName");
            if (typeof pod === "string") {
                backends.set(pod, { pod, node: typeof node === "string" ? node : "" });
            }
        }
    }
    return [...backends.values()];
}

/** Where one request goes and what the pod sees of it. */
export interface Route {
    readonly backend: Backend;
    readonly forwarder: NodeAddress;
    readonly dataplane: Dataplane;
    readonly sourceIp: string;
}

export interface RouteInput {
    readonly slices: readonly unknown[];
    readonly nodes: readonly NodeAddress[];
    readonly client: Client;
    /** The dataplane the last Felix to come up on a node runs; undefined if none came up. */
    readonly dataplaneOn: (node: string) => Dataplane | undefined;
    /** An index below `count`: which ready endpoint the proxy picks. */
    readonly pick: (count: number) => number;
}

/** The route of one request; undefined when there is no node or no ready endpoint (the client gets no answer). */
export function routeRequest(input: RouteInput): Route | undefined {
    const forwarder = forwardingNode(input.nodes, input.client);
    const backends = readyBackends(input.slices);
    const backend = backends[input.pick(backends.length)];
    if (forwarder === undefined || backend === undefined) return undefined;
    const dataplane = input.dataplaneOn(forwarder.name) ?? "iptables";
    return {
        backend,
        forwarder,
        dataplane,
        sourceIp: sourceIpSeen(dataplane, input.client.address, forwarder),
    };
}

/**
 * Where a client reaches the Service: its load balancer ingress IP and its port, only on loopback
 * (127.0.0.0/8), where the load balancer double hands out addresses; undefined otherwise.
 */
export function customerFrontend(service: unknown): { ip: string; port: number } | undefined {
    const ip = field(service, "status", "loadBalancer", "ingress", "0", "ip");
    const ports = field(service, "spec", "ports");
    const list = Array.isArray(ports) ? (ports as unknown[]) : [];
    const port = field(list.find((p) => field(p, "name") === "http") ?? list[0], "port");
    if (typeof ip !== "string" || isIP(ip) !== 4 || !ip.startsWith("127.")) return undefined;
    return typeof port === "number" ? { ip, port } : undefined;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number): string => String(n).padStart(2, "0");

/**
 * One request as werkzeug's request handler logs it (pallets/werkzeug src/werkzeug/serving.py
 * WSGIRequestHandler.log_request and log: `<address> - - [<date>] "<method> <path> <version>"
 * <status> -`, the size "-" as send_response leaves it; the date from Python's http.server
 * log_date_time_string, `%02d/%3s/%04d %02d:%02d:%02d` in the container's local time, UTC).
 */
export function werkzeugAccessLine(request: {
    readonly sourceIp: string;
    readonly method: string;
    readonly path: string;
    readonly httpVersion: string;
    readonly status: number;
    readonly at: number;
}): string {
    const t = new Date(request.at);
    const date =
        `${two(t.getUTCDate())}/${MONTHS[t.getUTCMonth()] ?? ""}/${t.getUTCFullYear()} ` +
        `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
    return (
        `${request.sourceIp} - - [${date}] ` +
        `"${request.method} ${request.path} HTTP/${request.httpVersion}" ${request.status} -`
    );
}

/** Not yaobank's page (customer.py renders the account summary.py returns): a page saying what answered. */
const PAGE =
    "<!DOCTYPE html>\n<html><head><title>YAO Bank</title></head><body>\n" +
    "<h1>YAO Bank</h1>\n<p>Answered by the cluster tier's traffic double, not by yaobank's customer app.</p>\n" +
    "</body></html>\n";

/** Where a request's log line goes and which client address it shows. */
export interface Delivery {
    readonly logFile: string;
    readonly sourceIp: string;
}

export interface CustomerServer {
    readonly address: string;
    readonly port: number;
    close(): Promise<void>;
}

/**
 * Listens on host:port (port 0: a free one) and answers every request as the customer app would,
 * after appending its access-log line to the routed pod's log (werkzeug logs to stderr, through the
 * logging StreamHandler its _log adds). A request with no route gets its connection dropped, as a
 * client sees a Service without ready endpoints.
 */
export async function serveCustomer(options: {
    readonly host: string;
    readonly port: number;
    readonly route: (client: Client) => Promise<Delivery | undefined>;
    readonly onError?: (error: unknown) => void;
}): Promise<CustomerServer> {
    const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
        const client = {
            address: request.socket.remoteAddress ?? "",
            port: request.socket.remotePort ?? 0,
        };
        const delivery = await options.route(client);
        if (delivery === undefined) {
            request.socket.destroy();
            return;
        }
        const line = werkzeugAccessLine({
            sourceIp: delivery.sourceIp,
            method: request.method ?? "GET",
            path: request.url ?? "/",
            httpVersion: request.httpVersion,
            status: 200,
            at: Date.now(),
        });
        await mkdir(dirname(delivery.logFile), { recursive: true });
        await appendFile(delivery.logFile, criLogLine(Date.now(), line, "stderr"));
        // werkzeug's development server closes every connection (serving.py run_wsgi).
        response.writeHead(200, {
            "Content-Type": "text/html; charset=utf-8",
            Connection: "close",
        });
        response.end(PAGE);
    };
    const server = createServer((request, response) => {
        answer(request, response).catch((error: unknown) => {
            options.onError?.(error);
            request.socket.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const bound = server.address();
    return {
        address: options.host,
        port: typeof bound === "object" && bound !== null ? bound.port : options.port,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => {
                    resolve();
                });
            }),
    };
}
