/**
 * When a server-side apply last changed a field, from the object's managedFields. The lab derives
 * its wait and restart triggers from this, not from resourceVersion or generation: those move on
 * every write by anyone (the operator writes FelixConfiguration and Installation all the time), so a
 * `pulumi up --refresh` would see a change where the lab changed nothing. An Apply entry's `time` is
 * updated when its manager adds, changes or removes a field, and not when another manager takes a
 * field over (ManagedFieldsEntry.time, pulumi/pulumi-kubernetes provider/pkg/clients/fake/swagger.json
 * @94977969, copied from the Kubernetes API).
 */
import { asRecord, field, type Unstructured } from "./unstructured";

/**
 * The field manager of the lab's patches, a fixed name rather than pulumi-kubernetes' generated
 * per-resource one (provider/pkg/provider/provider.go fieldManagerName), so the lab's entry in an
 * object's managedFields is easy to find. One patch per object uses it (see CTLB_PATCH_ANNOTATIONS).
 */
export const LAB_FIELD_MANAGER = "aks-calico-lab";
/** The prefix of the provider's generated managers, which the second patch of an object takes (seen on the cluster tier: test/cluster/scenario/audit-order.ts). */
const PROVIDER_MANAGER_PREFIX = "pulumi-kubernetes";

/** Whether a FieldsV1 set (`{"f:spec": {"f:calicoNetwork": {...}}}`) holds `path`. */
const owns = (fieldsV1: unknown, path: readonly string[]): boolean =>
    field(fieldsV1, ...path.map((key) => `f:${key}`)) !== undefined;

/** The entries of `metadata.managedFields`; none when it has none. */
function managedEntries(metadata: unknown): Unstructured[] {
    const entries = asRecord(metadata)?.["managedFields"];
    if (!Array.isArray(entries)) return [];
    return entries.map(asRecord).filter((entry): entry is Unstructured => entry !== undefined);
}

/** The entries that own `path`. */
const holdersOf = (metadata: unknown, path: readonly string[]): Unstructured[] =>
    managedEntries(metadata).filter((entry) => owns(entry["fieldsV1"], path));

const text = (value: unknown, fallback: string): string =>
    typeof value === "string" ? value : fallback;

/** An entry as `manager (Operation)`, e.g. `kubectl-edit (Update)`. */
const describeHolder = (entry: Unstructured): string =>
    `${text(entry["manager"], "unnamed")} (${text(entry["operation"], "?")})`;

/**
 * The latest `time` of an Apply entry in `metadata.managedFields` that owns `path` (and, when given,
 * belongs to `manager`); undefined when no such entry exists.
 */
export function appliedAt(
    metadata: unknown,
    path: readonly string[],
    manager?: string,
): string | undefined {
    const times = managedEntries(metadata)
        .filter(
            (entry) =>
                entry["operation"] === "Apply" &&
                (manager === undefined || entry["manager"] === manager) &&
                owns(entry["fieldsV1"], path),
        )
        .map((entry) => entry["time"])
        .filter((time): time is string => typeof time === "string");
    return times.sort().at(-1);
}

/**
 * Who holds `path` now: each managedFields entry that owns it, as `manager (Operation)`, e.g.
 * `kubectl-edit (Update)`. Empty when no entry owns it.
 */
export function fieldHolders(metadata: unknown, path: readonly string[]): string[] {
    return holdersOf(metadata, path).map(describeHolder);
}

/**
 * Who took `path` from `manager`'s server-side apply: when `manager` has an Apply entry on the
 * object that no longer owns `path` (another manager's write of a new value took it: a `kubectl
 * edit` is an Update under its own manager), each entry that owns it, as `manager (Operation) at
 * time`. Undefined when `manager` holds it, has never applied, or nobody holds it.
 */
export function takenFrom(
    metadata: unknown,
    path: readonly string[],
    manager: string,
): string | undefined {
    const applies = managedEntries(metadata).filter(
        (entry) => entry["operation"] === "Apply" && entry["manager"] === manager,
    );
    if (applies.length === 0 || applies.some((entry) => owns(entry["fieldsV1"], path)))
        return undefined;
    const holders = holdersOf(metadata, path).map(
        (entry) => `${describeHolder(entry)} at ${text(entry["time"], "?")}`,
    );
    return holders.length === 0 ? undefined : holders.join(", ");
}

/** The manager of a server-side apply by one of the provider's generated managers, else undefined. */
function providerApplyManager(entry: Unstructured): string | undefined {
    const manager = entry["manager"];
    return entry["operation"] === "Apply" &&
        typeof manager === "string" &&
        manager.startsWith(PROVIDER_MANAGER_PREFIX)
        ? manager
        : undefined;
}

/**
 * The provider's generated managers that hold `path` by server-side apply, when more than one does.
 * A stack's patch keeps its manager in the stack's state (CTLB_PATCH_ANNOTATIONS), so a second one
 * is a patch the state no longer has: a lost state, whose adopting `up` applied the same value
 * under a new manager, and the two share the field (server-side apply shares a field among
 * managers that set the same value), so the patch's hand-back would leave the old value. Empty
 * when at most one holds it.
 */
export function orphanedProviderHolds(metadata: unknown, path: readonly string[]): string[] {
    const managers = holdersOf(metadata, path).flatMap((entry) => {
        const manager = providerApplyManager(entry);
        return manager === undefined ? [] : [manager];
    });
    const distinct = [...new Set(managers)];
    return distinct.length > 1 ? distinct : [];
}

/**
 * Whether only the lab's own server-side applies hold `path`: then a patch that stops sending it
 * removes it (server-side apply drops a field its last manager gives up). False when no entry
 * holds it (who set it cannot be told) or another manager holds it too.
 */
export function heldOnlyByLab(metadata: unknown, path: readonly string[]): boolean {
    const holders = holdersOf(metadata, path);
    return (
        holders.length > 0 &&
        holders.every(
            (entry) =>
                providerApplyManager(entry) !== undefined ||
                (entry["operation"] === "Apply" && entry["manager"] === LAB_FIELD_MANAGER),
        )
    );
}
