/**
 * What the lab wrote to the cluster, in order, read from the API server's audit log: the writes
 * that carry the lab's field manager (its patches), the provider's own (the connect-time LB patch
 * and the yaobank objects), and the steps' restarts, named by the switch step they belong to.
 */
import type { SwitchStep } from "../../../components/calico/calico-spec";
import type { AuditEvent } from "../harness/audit";

export type LabWrite = SwitchStep | "endpoint" | "yaobank";

const fieldManagerOf = (event: AuditEvent): string | undefined =>
    new URL(event.requestURI, "https://api").searchParams.get("fieldManager") ?? undefined;

/** The switch step or object a write belongs to, or undefined for writes that are not the lab's. */
export function labWriteOf(event: AuditEvent, labManager: string): LabWrite | undefined {
    if (event.verb !== "patch" && event.verb !== "create" && event.verb !== "update")
        return undefined;
    if ((event.responseStatus?.code ?? 0) >= 300) return undefined;
    // The provider's server-side dry runs (its diffs) write nothing.
    if (new URL(event.requestURI, "https://api").searchParams.get("dryRun") !== null)
        return undefined;
    const ref = event.objectRef;
    if (ref === undefined) return undefined;
    const manager = fieldManagerOf(event) ?? "";
    const byProvider = manager === labManager || manager.startsWith("pulumi-kubernetes");
    if (ref.namespace === "yaobank" && byProvider) return "yaobank";
    if (!byProvider) {
        // The restart step patches the Deployment's template annotation with the client library;
        // the deployment controller's status writes (a node going down changes them) are not it.
        return ref.resource === "deployments" &&
            ref.subresource === undefined &&
            ref.namespace === "kube-system" &&
            ref.name === "coredns"
            ? "restartDns"
            : undefined;
    }
    if (ref.resource === "configmaps" && ref.name === "kubernetes-services-endpoint")
        return "endpoint";
    if (ref.resource === "installations") return "installation";
    // The connect-time LB patch is FelixConfiguration's second patch, under the provider's generated manager.
    if (ref.resource === "felixconfigurations") return manager === labManager ? "felix" : "ctlb";
    return undefined;
}

/** The lab's writes after `since` (an ISO time), consecutive repeats folded into one. */
export function labWritesSince(
    events: readonly AuditEvent[],
    since: string,
    labManager: string,
): LabWrite[] {
    const writes: LabWrite[] = [];
    for (const event of events) {
        if (Date.parse(event.requestReceivedTimestamp) < Date.parse(since)) continue;
        const write = labWriteOf(event, labManager);
        if (write !== undefined && writes.at(-1) !== write) writes.push(write);
    }
    return writes;
}

/** Whether `expected` appears in `writes` in order (other writes, and repeats after a fault, between). */
export function writesInOrder(writes: readonly LabWrite[], expected: readonly LabWrite[]): boolean {
    let next = 0;
    for (const write of writes) if (write === expected[next]) next++;
    return next === expected.length;
}

/** Every write after `since` but the kubelet's and the controllers' routine ones, for a failing check's message. */
export function describeWrites(events: readonly AuditEvent[], since: string): string {
    return events
        .filter((e) => Date.parse(e.requestReceivedTimestamp) >= Date.parse(since))
        .filter((e) => e.objectRef !== undefined)
        .filter((e) => !["leases", "events", "nodes"].includes(e.objectRef?.resource ?? ""))
        .map((e) => {
            const ref = e.objectRef;
            const manager = fieldManagerOf(e) ?? "-";
            return `${e.verb} ${ref?.resource ?? ""}/${ref?.namespace ?? ""}/${ref?.name ?? ""}${ref?.subresource === undefined ? "" : `/${ref.subresource}`} by ${e.user.username} manager ${manager} -> ${String(e.responseStatus?.code)}`;
        })
        .join("\n");
}
