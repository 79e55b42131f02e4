/**
 * How long a flip took on the tier, from real evidence: the lab's Installation write (the API
 * server's audit log), each node's last `Completed first update to dataplane.` (real Felix's line,
 * with the kubelet's timestamp, as `kubectl logs --timestamps` serves it), and the wait's end, which
 * the audit log bounds: the lab's next write after the Installation belongs to the step that the
 * wait's end starts (switchOrder: the restart, or the FelixConfiguration patch on the way back).
 */
import type { AuditEvent } from "../harness/audit";
import type { LocalCluster } from "../harness/cluster";
import { labWriteOf } from "./audit-order";

/** felix/dataplane/linux/int_dataplane.go :2307 @v3.31.2 (loopUpdatingDataplane). */
const FIRST_UPDATE = "Completed first update to dataplane.";

export interface FlipTiming {
    /** Installation write to the last node's first dataplane update after it, in seconds. */
    readonly installationToLastNodeLive: number;
    /** That line to the lab's next write: the wait's overhead, plus the next step's start. */
    readonly lastNodeLiveToNextWrite: number;
}

/** The kubelet timestamps of the lines carrying FIRST_UPDATE, in one container log. */
export function firstUpdateTimes(log: string): number[] {
    return log
        .split("\n")
        .filter((line) => line.includes(FIRST_UPDATE))
        .map((line) => Date.parse(line.split(" ")[0] ?? ""))
        .filter((at) => !Number.isNaN(at));
}

/**
 * undefined when the audit log has no Installation write since `since` or no lab write after it,
 * or a node no line after it.
 */
export function flipTiming(
    events: readonly AuditEvent[],
    since: string,
    labManager: string,
    nodeLogs: readonly string[],
): FlipTiming | undefined {
    const writes = events.filter(
        (event) =>
            Date.parse(event.requestReceivedTimestamp) >= Date.parse(since) &&
            labWriteOf(event, labManager) !== undefined,
    );
    const at = writes.findIndex((event) => labWriteOf(event, labManager) === "installation");
    const next = writes
        .slice(at + 1)
        .find((event) => labWriteOf(event, labManager) !== "installation");
    if (at < 0 || next === undefined) return undefined;
    const writtenAt = Date.parse(writes[at]?.stageTimestamp ?? "");
    const live = nodeLogs.map((log) =>
        firstUpdateTimes(log)
            .filter((at) => at >= writtenAt)
            .at(-1),
    );
    if (live.some((at) => at === undefined)) return undefined;
    const lastLive = Math.max(...live.map((at) => at ?? 0));
    return {
        installationToLastNodeLive: (lastLive - writtenAt) / 1000,
        lastNodeLiveToNextWrite: (Date.parse(next.requestReceivedTimestamp) - lastLive) / 1000,
    };
}

/** The calico-node containers' logs of the pods running now, through the API server. */
export async function calicoNodeLogs(cluster: LocalCluster): Promise<string[]> {
    const pods = await cluster.api.get<{ items: { metadata: { name: string } }[] }>(
        "/api/v1/namespaces/calico-system/pods?labelSelector=k8s-app%3Dcalico-node",
    );
    return Promise.all(
        pods.items.map((pod) =>
            cluster.api.raw(
                "GET",
                `/api/v1/namespaces/calico-system/pods/${pod.metadata.name}/log?container=calico-node&timestamps=true`,
            ),
        ),
    );
}
