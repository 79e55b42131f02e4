/**
 * The API server's audit log: a policy that records every write (the order of the lab's writes
 * is what the cluster tier checks) and a reader for the events.
 * Policy format: k8s.io/apiserver pkg/apis/audit/v1 (Policy, PolicyRule); the log backend writes
 * one JSON Event per line with --audit-log-format=json (k8s.io/kubernetes v1.36.3,
 * staging/src/k8s.io/apiserver/plugin/pkg/audit/log/backend.go).
 */
import { existsSync, readFileSync } from "node:fs";

/**
 * Reads are not logged, nor the harness's kwok Logs objects (one a second: cluster.ts
 * LOGS_HEARTBEAT_MS); every other write is, at Metadata: who, what, when, which field manager (in the
 * request URI), no body. A body would drop the event: the JSON log cannot carry the YAML body of a
 * server-side apply (`application/apply-patch+yaml`, what pulumi-kubernetes sends), and the API
 * server logs "error calling MarshalJSON for type *runtime.Unknown" and writes nothing for it
 * (k8s.io/apiserver plugin/pkg/audit/log/backend.go @v0.36.3; found on the cluster tier).
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    verbs: ["get", "list", "watch"]
  - level: None
    resources: [{ group: "kwok.x-k8s.io", resources: ["logs"] }]
  - level: Metadata
`;

export interface AuditEvent {
    readonly auditID: string;
    readonly stage: string;
    readonly level: string;
    readonly verb: string;
    readonly requestURI: string;
    readonly user: { readonly username: string; readonly groups?: readonly string[] };
    readonly userAgent?: string;
    readonly objectRef?: {
        readonly resource?: string;
        readonly subresource?: string;
        readonly namespace?: string;
        readonly name?: string;
        readonly apiGroup?: string;
        readonly apiVersion?: string;
    };
    readonly responseStatus?: { readonly code?: number };
    readonly requestObject?: unknown;
    readonly responseObject?: unknown;
    readonly requestReceivedTimestamp: string;
    readonly stageTimestamp: string;
}

/** Every completed request in the log, oldest first. */
export function readAuditEvents(file: string): AuditEvent[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as AuditEvent)
        .filter((event) => event.stage === "ResponseComplete" || event.stage === "Panic");
}
