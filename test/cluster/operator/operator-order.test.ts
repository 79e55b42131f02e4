import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Moment } from "./operator-timeline";
import { operatorOrderProblems } from "./operator-order";

const moments = (whats: readonly string[]): Moment[] =>
    whats.map((what, i) => ({ at: `t${String(i)}`, what, revision: i }));

/** What operator v1.40.2 did on the tier (2026-12-06) when the ConfigMap, then BPF, were written. */
const TO_BPF_1_40 = [
    "calico-typha generation 2",
    "calico-typha rolled out no",
    "calico-node generation 2",
    "calico-node rolled out no",
    "nftablesMode Enabled",
    "calico-node generation 3",
    "calico-typha rolled out generation 2",
    "TigeraStatus calico Available False",
    "TigeraStatus calico Progressing True",
    "calico-node rolled out generation 3",
    "bpfEnabled true",
    "TigeraStatus calico Available True",
    "TigeraStatus calico Progressing False",
];
/** And back to Iptables. */
const TO_IPTABLES_1_40 = [
    "nftablesMode Disabled",
    "calico-node generation 4",
    "calico-node rolled out no",
    "bpfEnabled false",
    "calico-node rolled out generation 4",
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

    it("catches bpfEnabled set before the roll of calico-node's last generation ended", () => {
        const early = TO_BPF_1_40.filter((w) => w !== "bpfEnabled true");
        early.splice(early.indexOf("calico-node generation 3") + 1, 0, "bpfEnabled true");
        assert.deepEqual(operatorOrderProblems(moments(early), { ...to40, to: "bpf" }), [
            "bpfEnabled true before calico-node had rolled out",
        ]);
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
        const none = TO_BPF_1_40.filter((w) => !w.startsWith("nftablesMode"));
        assert.deepEqual(operatorOrderProblems(moments(none), { ...to40, to: "bpf" }), [
            "no nftablesMode Enabled from operator 1.40",
        ]);
    });

    it("catches a ConfigMap that rolled no Typha, and a flip the operator never finished", () => {
        const noTypha = TO_BPF_1_40.filter((w) => !w.startsWith("calico-typha"));
        assert.deepEqual(operatorOrderProblems(moments(noTypha), { ...to40, to: "bpf" }), [
            "the endpoint ConfigMap did not roll Typha",
        ]);
        assert.deepEqual(operatorOrderProblems(moments([]), { ...to40, to: "bpf" }), [
            "the operator never set bpfEnabled true",
        ]);
    });
});
