/**
 * When a server-side apply last changed a field, from the object's managedFields. The lab derives
 * its wait and restart triggers from this, not from resourceVersion or generation: those move on
 * every write by anyone (the operator writes FelixConfiguration and Installation all the time), so a
 * `pulumi up --refresh` would see a change where the lab changed nothing. An Apply entry's `time` is
 * updated when its manager adds, changes or removes a field, and not when another manager takes a
 * field over (ManagedFieldsEntry.time, pulumi/pulumi-kubernetes provider/pkg/clients/fake/swagger.json
 * @94977969, copied from the Kubernetes API).
 */
import { asRecord, field } from "./unstructured";

/** Whether a FieldsV1 set (`{"f:spec": {"f:calicoNetwork": {...}}}`) holds `path`. */
const owns = (fieldsV1: unknown, path: readonly string[]): boolean =>
    field(fieldsV1, ...path.map((key) => `f:${key}`)) !== undefined;

/**
 * The latest `time` of an Apply entry in `metadata.managedFields` that owns `path` (and, when given,
 * belongs to `manager`); undefined when no such entry exists.
 */
export function appliedAt(
    metadata: unknown,
    path: readonly string[],
    manager?: string,
): string | undefined {
    const entries = asRecord(metadata)?.["managedFields"];
    if (!Array.isArray(entries)) return undefined;
    const times = entries
        .map(asRecord)
        .filter(
            (entry) =>
                entry?.["operation"] === "Apply" &&
                (manager === undefined || entry["manager"] === manager) &&
                owns(entry["fieldsV1"], path),
        )
        .map((entry) => entry?.["time"])
        .filter((time): time is string => typeof time === "string");
    return times.sort().at(-1);
}

/**
 * Who holds `path` now: each managedFields entry that owns it, as `manager (Operation)`, e.g.
 * `kubectl-edit (Update)`. Empty when no entry owns it.
 */
export function fieldHolders(metadata: unknown, path: readonly string[]): string[] {
    const entries = asRecord(metadata)?.["managedFields"];
    if (!Array.isArray(entries)) return [];
    const text = (value: unknown, fallback: string): string =>
        typeof value === "string" ? value : fallback;
    return entries
        .map(asRecord)
        .filter((entry) => owns(entry?.["fieldsV1"], path))
        .map(
            (entry) =>
                `${text(entry?.["manager"], "unnamed")} (${text(entry?.["operation"], "?")})`,
        );
}
