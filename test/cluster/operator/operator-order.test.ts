import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Moment } from "./operator-timeline";
import { operatorOrderProblems } from "./operator-order";

/** Moments, one write per entry (a write's moments share its revision), revisions from `first`. */
const writes = (entries: readonly (string | readonly string[])[], first = 0): Moment[] =>
    entries.flatMap((entry, i) =>
        (typeof entry === "string" ? [entry] : entry).map((what) => ({
            at: `t${String(first + i)}`,
            what,
            revision: first + i,
        })),
    );
const moments = (entries: readonly (string | readonly string[])[]) => writes(entries, 100);
/** The writes without the moments that start with `prefix`. */
const without = (entries: readonly (string | readonly string[])[], prefix: string) =>
    entries
        .map((entry) =>
            (typeof entry === "string" ? [entry] : entry).filter((w) => !w.startsWith(prefix)),
        )
        .filter((entry) => entry.length > 0);

const CHECK = "calico-node operator's rollout check";
/** A calico-node write: its generation when new, and whether the operator's rollout test passes. */
const calicoNode = (check: "passes" | "fails", generation?: number): string[] => [
    ...(generation === undefined
        ? []
        : [`calico-node generation ${String(generation)}`, "calico-node rolled out no"]),
    `${CHECK} ${check}`,
];
/** calico-node settled before the flip; its template has the bpffs volume (1.40) or not (1.38). */
const settled = (bpffs: boolean) =>
    writes([
        [
            "calico-node generation 1",
            "calico-node rolled out generation 1",
            `${CHECK} ${bpffs ? "passes" : "fails"}`,
        ],
    ]);

/** What operator v1.40.2 did on the tier (2026-12-06) when the ConfigMap, then BPF, were written. */
const TO_BPF_1_40 = [
    ["calico-typha generation 2", "calico-typha rolled out no"],
    calicoNode("fails", 2),
    "nftablesMode Enabled",
    ["calico-node generation 3", "calico-node rolled out no"],
    "calico-typha rolled out generation 2",
    ["TigeraStatus calico Available False", "TigeraStatus calico Progressing True"],
    ["calico-node rolled out generation 3", `${CHECK} passes`],
    "bpfEnabled true",
    ["TigeraStatus calico Available True", "TigeraStatus calico Progressing False"],
];
/** And back to Iptables. */
const TO_IPTABLES_1_40 = [
    "nftablesMode Disabled",
    calicoNode("fails", 4),
    "bpfEnabled false",
    ["calico-node rolled out generation 4", `${CHECK} passes`],
];
const to40 = { nftablesUnderBpf: true, endpointWritten: true } as const;

describe("the README's operator order, against what the operator did", () => {
    it("holds for operator 1.40.2's flip to eBPF and back", () => {
        assert.deepEqual(operatorOrderProblems(moments(TO_BPF_1_40), { ...to40, to: "bpf" }), []);
        assert.deepEqual(
            operatorOrderProblems(moments(TO_IPTABLES_1_40), {
                to: "iptables",
                nftablesUnderBpf: true,
                endpointWritten: false,
            }),
            [],
        );
    });

    it("holds when the operator's cache missed the template it had just written (seen on the tier, 2026-12-06)", () => {
        // calico-node's ConfigMap roll ended, the operator wrote generation 3 and, reading its
        // cache, still saw generation 2 rolled out.
        const cached = [
            ["calico-typha generation 2", "calico-typha rolled out no"],
            calicoNode("fails", 2),
            "nftablesMode Enabled",
            ["calico-node rolled out generation 2", `${CHECK} passes`],
            calicoNode("fails", 3),
            "bpfEnabled true",
            ["calico-node rolled out generation 3", `${CHECK} passes`],
        ];
        assert.deepEqual(
            operatorOrderProblems(moments(cached), { ...to40, to: "bpf" }, [
                ...settled(true),
                ...moments(cached),
            ]),
            [],
        );
    });

    it("catches bpfEnabled set while calico-node failed the operator's own rollout test", () => {
        const early = TO_BPF_1_40.filter((w) => w !== "bpfEnabled true");
        early.splice(early.indexOf("calico-typha rolled out generation 2"), 0, "bpfEnabled true");
        assert.deepEqual(
            operatorOrderProblems(moments(early), { ...to40, to: "bpf" }, [
                ...settled(true),
                ...moments(early),
            ]),
            [
                "bpfEnabled true though calico-node failed the operator's rollout check since its last template write",
            ],
        );
    });

    it("judges the first template write against the state before the flip: bpffs in it on 1.40, not on 1.38", () => {
        const first = ["nftablesMode Enabled", calicoNode("fails", 2), "bpfEnabled true"];
        assert.deepEqual(
            operatorOrderProblems(moments(first), { ...to40, to: "bpf", endpointWritten: false }, [
                ...settled(true),
                ...moments(first),
            ]),
            [],
        );
        const to38 = { to: "bpf", nftablesUnderBpf: false, endpointWritten: false } as const;
        const first38 = first.slice(1);
        assert.deepEqual(
            operatorOrderProblems(moments(first38), to38, [...settled(false), ...moments(first38)]),
            [
                "bpfEnabled true though calico-node failed the operator's rollout check since its last template write",
            ],
        );
    });

    it("catches bpfEnabled cleared only after the revert's roll", () => {
        const late = [
            ...TO_IPTABLES_1_40.filter((w) => w !== "bpfEnabled false"),
            "bpfEnabled false",
        ];
        assert.deepEqual(
            operatorOrderProblems(moments(late), {
                to: "iptables",
                nftablesUnderBpf: true,
                endpointWritten: false,
            }),
            ["bpfEnabled false only after calico-node had rolled out, not at once"],
        );
    });

    it("tells the operators apart on nftablesMode", () => {
        assert.deepEqual(
            operatorOrderProblems(moments(TO_BPF_1_40), {
                to: "bpf",
                nftablesUnderBpf: false,
                endpointWritten: true,
            }),
            ["nftablesMode Enabled under eBPF on an operator before 1.40"],
        );
        const none = without(TO_BPF_1_40, "nftablesMode");
        assert.deepEqual(operatorOrderProblems(moments(none), { ...to40, to: "bpf" }), [
            "no nftablesMode Enabled from operator 1.40",
        ]);
    });

    it("catches a ConfigMap that rolled no Typha, and a flip the operator never finished", () => {
        const noTypha = without(TO_BPF_1_40, "calico-typha");
        assert.deepEqual(operatorOrderProblems(moments(noTypha), { ...to40, to: "bpf" }), [
            "the endpoint ConfigMap did not roll Typha",
        ]);
        assert.deepEqual(operatorOrderProblems(moments([]), { ...to40, to: "bpf" }), [
            "the operator never set bpfEnabled true",
        ]);
    });
});
