/**
 * What the operator did, and when, as watches of its outputs saw it: FelixConfiguration `default`'s
 * `nftablesMode` and `bpfEnabled`, the calico-node DaemonSet's and calico-typha Deployment's
 * template changes (a new generation starts a roll) and completed rollouts, and TigeraStatus
 * `calico`'s conditions. The audit log has the writes but not their content (audit.ts); this has
 * the values, so the operator test (operator.cluster.test.ts) can check the docs' claims about the
 * operator's order.
 *
 *   const timeline = watchOperator(cluster.kubeconfigYaml);
 *   ... flip ...
 *   timeline.since(isoTime);   // [{ at, what: "nftablesMode Enabled" }, ...]
 */
import * as k8s from "@kubernetes/client-node";
import { field } from "../../../core/unstructured";
import { watchForever } from "../harness/watch";

export interface Moment {
    /** When the watch delivered it (ISO, milliseconds). */
    readonly at: string;
    readonly what: string;
    /**
     * The object's resourceVersion: opaque to clients in general, but here the etcd revision of the
     * write, one counter for every object, so it orders moments that different watches deliver.
     */
    readonly revision: number;
}

type Kind = "felixconfiguration" | "daemonset" | "deployment" | "tigerastatus";

const text = (value: unknown): string =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : "unset";

/** The facts of one object that a moment reports, by name; a changed fact is a moment. */
export function factsOf(kind: Kind, object: unknown): Record<string, string> {
    const name = text(field(object, "metadata", "name"));
    switch (kind) {
        case "felixconfiguration":
            return {
                nftablesMode: text(field(object, "spec", "nftablesMode")),
                bpfEnabled: text(field(object, "spec", "bpfEnabled")),
            };
        case "daemonset":
        case "deployment": {
            const generation = text(field(object, "metadata", "generation"));
            const desired = field(
                object,
                "status",
                kind === "daemonset" ? "desiredNumberScheduled" : "replicas",
            );
            const updated = field(
                object,
                "status",
                kind === "daemonset" ? "updatedNumberScheduled" : "updatedReplicas",
            );
            const available = field(
                object,
                "status",
                kind === "daemonset" ? "numberAvailable" : "availableReplicas",
            );
            const observed = text(field(object, "status", "observedGeneration")) === generation;
            const done =
                observed &&
                typeof desired === "number" &&
                updated === desired &&
                available === desired;
            const facts = {
                [`${name} generation`]: generation,
                [`${name} rolled out`]: done ? `generation ${generation}` : "no",
            };
            return kind === "daemonset"
                ? { ...facts, ...operatorRolloutFacts(name, object, observed, updated, available) }
                : facts;
        }
        case "tigerastatus": {
            const conditions = field(object, "status", "conditions");
            const facts: Record<string, string> = {};
            for (const c of Array.isArray(conditions) ? conditions : []) {
                facts[`TigeraStatus ${name} ${text(field(c, "type"))}`] = text(field(c, "status"));
            }
            return facts;
        }
    }
}

/**
 * What the operator's own test of a calico-node rollout reads (tigera/operator
 * pkg/controller/installation/bpf.go `isRolloutCompleteWithBPFVolumes` @v1.38.6 and @v1.40.2):
 * the generation observed, every scheduled pod updated and available (it never compares with the
 * desired number), and the template's `bpffs` volume (render.BPFVolumeName: only in eBPF templates
 * on 1.38, in every one on 1.40). The status as text too, so each write that changes what that test
 * reads is a moment of its own.
 */
function operatorRolloutFacts(
    name: string,
    daemonSet: unknown,
    observed: boolean,
    updated: unknown,
    available: unknown,
): Record<string, string> {
    const scheduled = field(daemonSet, "status", "currentNumberScheduled");
    const volumes = field(daemonSet, "spec", "template", "spec", "volumes");
    const bpffs =
        Array.isArray(volumes) && volumes.some((volume) => field(volume, "name") === "bpffs");
    const passes = observed && bpffs && scheduled === updated && scheduled === available;
    return {
        [`${name} status`]: `observed ${String(observed)}, scheduled ${text(scheduled)}, updated ${text(updated)}, available ${text(available)}, bpffs ${String(bpffs)}`,
        [`${name} ${OPERATOR_ROLLOUT_CHECK}`]: passes ? "passes" : "fails",
    };
}

/** The fact, after a DaemonSet's name, of whether the operator's rollout test passes on it. */
export const OPERATOR_ROLLOUT_CHECK = "operator's rollout check";

/** The moments between two readings of an object's facts. */
export function changes(
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
    at: string,
    revision: number,
): Moment[] {
    return Object.entries(after)
        .filter(([key, value]) => before[key] !== value)
        .map(([key, value]) => ({ at, what: `${key} ${value}`, revision }));
}

export interface OperatorTimeline {
    /** The moments at or after `since` (ISO), in the order of their writes. */
    since(since: string): Moment[];
    stop(): void;
}

const WATCHES: readonly { kind: Kind; path: string; query: Record<string, string> }[] = [
    {
        kind: "felixconfiguration",
        path: "/apis/crd.projectcalico.org/v1/felixconfigurations",
        query: { fieldSelector: "metadata.name=default" },
    },
    {
        kind: "daemonset",
        path: "/apis/apps/v1/namespaces/calico-system/daemonsets",
        query: { fieldSelector: "metadata.name=calico-node" },
    },
    {
        kind: "deployment",
        path: "/apis/apps/v1/namespaces/calico-system/deployments",
        query: { fieldSelector: "metadata.name=calico-typha" },
    },
    {
        kind: "tigerastatus",
        path: "/apis/operator.tigera.io/v1/tigerastatuses",
        query: { fieldSelector: "metadata.name=calico" },
    },
];

export function watchOperator(kubeconfigYaml: string): OperatorTimeline {
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfigYaml);
    const watch = new k8s.Watch(config);
    const controllers = new Set<AbortController>();
    const moments: Moment[] = [];
    const last = new Map<string, Record<string, string>>();
    let stopped = false;
    for (const { kind, path, query } of WATCHES) {
        watchForever(
            watch,
            path,
            query,
            (phase, object) => {
                if (phase === "DELETED") return;
                const key = `${kind}/${text(field(object, "metadata", "name"))}`;
                const facts = factsOf(kind, object);
                const revision = Number(field(object, "metadata", "resourceVersion"));
                const at = new Date().toISOString();
                moments.push(...changes(last.get(key) ?? {}, facts, at, revision));
                last.set(key, facts);
            },
            () => undefined,
            () => stopped,
            controllers,
        );
    }
    return {
        since: (since) =>
            moments
                .filter((m) => Date.parse(m.at) >= Date.parse(since))
                .sort((a, b) => a.revision - b.revision),
        stop() {
            stopped = true;
            for (const controller of controllers) controller.abort();
        },
    };
}
