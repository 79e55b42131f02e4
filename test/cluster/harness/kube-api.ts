/**
 * The harness's own client for the local API server: JSON over HTTPS with a client certificate.
 * Small on purpose (create, server-side apply, status writes, reads, raw text): the lab's code
 * under test talks to the server through its own clients; this one only lays down the fixture.
 */
import { request } from "node:https";
import { readFileSync } from "node:fs";
import type { KeyPair } from "./pki";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

export class KubeApiError extends Error {
    constructor(
        readonly status: number,
        readonly body: string,
        what: string,
    ) {
        super(`${what}: HTTP ${status}: ${body.slice(0, 500)}`);
    }
}

const USER_AGENT = "aks-calico-lab-cluster-harness";
const FIELD_MANAGER = "aks-calico-lab-cluster-harness";

export class KubeApi {
    private readonly ca: Buffer;
    private readonly cert: Buffer;
    private readonly key: Buffer;

    constructor(
        readonly server: string,
        caFile: string,
        client: KeyPair,
    ) {
        this.ca = readFileSync(caFile);
        this.cert = readFileSync(client.cert);
        this.key = readFileSync(client.key);
    }

    raw(
        method: string,
        path: string,
        body?: string,
        contentType = "application/json",
    ): Promise<string> {
        const url = new URL(path, this.server);
        return new Promise((resolve, reject) => {
            const req = request(
                url,
                {
                    method,
                    ca: this.ca,
                    cert: this.cert,
                    key: this.key,
                    headers: {
                        "user-agent": USER_AGENT,
                        accept: "application/json, */*",
                        ...(body === undefined ? {} : { "content-type": contentType }),
                    },
                    timeout: 30_000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk: Buffer) => chunks.push(chunk));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        const status = res.statusCode ?? 0;
                        if (status >= 200 && status < 300) resolve(text);
                        else reject(new KubeApiError(status, text, `${method} ${url.pathname}`));
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
            req.on("error", reject);
            req.end(body);
        });
    }

    async json<T = KubeObject>(
        method: string,
        path: string,
        body?: unknown,
        contentType?: string,
    ): Promise<T> {
        const text = await this.raw(
            method,
            path,
            body === undefined ? undefined : JSON.stringify(body),
            contentType,
        );
        return JSON.parse(text) as T;
    }

    get<T = KubeObject>(path: string): Promise<T> {
        return this.json<T>("GET", path);
    }

    /** Server-side apply as the harness, strict field validation: a fixture field the CRD lacks fails. */
    apply(object: KubeObject): Promise<KubeObject> {
        const path = `${objectPath(object)}?fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
        return this.json("PATCH", path, object, "application/apply-patch+yaml");
    }

    /** Writes the status subresource (as the controller that owns it would). */
    applyStatus(object: KubeObject): Promise<KubeObject> {
        const path = `${objectPath(object)}/status?fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
        return this.json("PATCH", path, object, "application/apply-patch+yaml");
    }
}

const CORE_PLURALS: Record<string, string> = {
    Namespace: "namespaces",
    Node: "nodes",
    Pod: "pods",
    Service: "services",
    ServiceAccount: "serviceaccounts",
    ConfigMap: "configmaps",
    // kwok.x-k8s.io Logs: plural "logs" (sigs.k8s.io/kwok v0.8.0 kustomize/crd/bases/kwok.x-k8s.io_logs.yaml).
    Logs: "logs",
};

/** REST path of an object: core and apps kinds, CRDs by their lowercase plural. */
export function objectPath(object: KubeObject): string {
    const { apiVersion, kind, metadata } = object;
    const plural = CORE_PLURALS[kind] ?? `${kind.toLowerCase()}${kind.endsWith("s") ? "es" : "s"}`;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = metadata.namespace ? `/namespaces/${metadata.namespace}` : "";
    return `${base}${ns}/${plural}/${metadata.name}`;
}
