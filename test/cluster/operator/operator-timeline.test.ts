import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { changes, factsOf } from "./operator-timeline";

const daemonSet = (
    generation: number,
    observed: number,
    updated: number,
    available: number,
    { scheduled = 2, bpffs = true } = {},
) => ({
    metadata: { name: "calico-node", generation },
    spec: {
        template: {
            spec: { volumes: [{ name: "sys-fs" }, ...(bpffs ? [{ name: "bpffs" }] : [])] },
        },
    },
    status: {
        observedGeneration: observed,
        desiredNumberScheduled: 2,
        currentNumberScheduled: scheduled,
        updatedNumberScheduled: updated,
        numberAvailable: available,
    },
});
const ROLLOUT_CHECK = "calico-node operator's rollout check";
/** The generation and roll moments only. */
const rolls = (moments: readonly { what: string }[]) =>
    moments.map((m) => m.what).filter((what) => / (generation|rolled out) /.test(what));

describe("the operator's timeline", () => {
    it("reports a new calico-node generation as the roll's start, and its end only once every pod is updated and available", () => {
        const rolling = factsOf("daemonset", daemonSet(3, 3, 1, 2));
        const before = factsOf("daemonset", daemonSet(2, 2, 2, 2));
        assert.deepEqual(rolls(changes(before, rolling, "t1", 7)), [
            "calico-node generation 3",
            "calico-node rolled out no",
        ]);
        // Not yet observed by the controller: the old generation's status says nothing of the new one.
        assert.equal(factsOf("daemonset", daemonSet(3, 2, 2, 2))["calico-node rolled out"], "no");
        const done = factsOf("daemonset", daemonSet(3, 3, 2, 2));
        assert.deepEqual(
            changes(rolling, done, "t2", 9).filter((m) => m.what.includes("rolled out")),
            [{ at: "t2", what: "calico-node rolled out generation 3", revision: 9 }],
        );
    });

    it("reports the operator's own rollout test as it reads it: scheduled pods only, the bpffs volume, and each status write", () => {
        const check = (ds: unknown) => factsOf("daemonset", ds)[ROLLOUT_CHECK];
        assert.equal(check(daemonSet(3, 3, 2, 2)), "passes");
        assert.equal(check(daemonSet(3, 3, 2, 2, { bpffs: false })), "fails");
        assert.equal(check(daemonSet(3, 2, 2, 2)), "fails");
        assert.equal(check(daemonSet(3, 3, 1, 2)), "fails");
        // A node whose old pod is gone and new one not yet there: rolled out for the operator
        // (bpf.go never compares with desiredNumberScheduled), not for the timeline.
        const gap = factsOf("daemonset", daemonSet(3, 3, 1, 1, { scheduled: 1 }));
        assert.equal(gap[ROLLOUT_CHECK], "passes");
        assert.equal(gap["calico-node rolled out"], "no");
        const ready = factsOf("daemonset", daemonSet(3, 3, 1, 2));
        assert.deepEqual(
            changes(ready, factsOf("daemonset", daemonSet(3, 3, 1, 1)), "t", 3).map((m) => m.what),
            ["calico-node status observed true, scheduled 2, updated 1, available 1, bpffs true"],
        );
    });

    it("reads a Deployment's replicas, not a DaemonSet's scheduling", () => {
        const typha = {
            metadata: { name: "calico-typha", generation: 2 },
            spec: { replicas: 2 },
            status: {
                observedGeneration: 2,
                replicas: 2,
                updatedReplicas: 2,
                availableReplicas: 2,
            },
        };
        assert.equal(factsOf("deployment", typha)["calico-typha rolled out"], "generation 2");
    });

    it("reports FelixConfiguration's operator-owned fields, unset included, and only when they change", () => {
        const iptables = factsOf("felixconfiguration", { spec: { nftablesMode: "Disabled" } });
        assert.deepEqual(iptables, { nftablesMode: "Disabled", bpfEnabled: "unset" });
        const bpf = factsOf("felixconfiguration", {
            spec: { nftablesMode: "Enabled", bpfEnabled: false },
        });
        assert.deepEqual(
            changes(iptables, bpf, "t", 1).map((m) => m.what),
            ["nftablesMode Enabled", "bpfEnabled false"],
        );
        assert.deepEqual(changes(bpf, bpf, "t", 2), []);
    });

    it("reports each TigeraStatus condition by type", () => {
        const facts = factsOf("tigerastatus", {
            metadata: { name: "calico" },
            status: {
                conditions: [
                    { type: "Available", status: "True" },
                    { type: "Progressing", status: "True" },
                ],
            },
        });
        assert.deepEqual(facts, {
            "TigeraStatus calico Available": "True",
            "TigeraStatus calico Progressing": "True",
        });
    });
});
