import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { liveDataplane, summarizeDataplane } from "./dataplane-state";

const none = { iptables: "", nftables: "", netPrograms: "", cgroupPrograms: "" };

describe("a node's dataplane, from its kernel's state", () => {
    it("counts Calico's iptables rules, tc programs and cgroup programs", () => {
        const state = summarizeDataplane({
            iptables:
                "*filter\n:cali-INPUT - [0:0]\n-A INPUT -j cali-INPUT\n-A cali-INPUT -j ACCEPT\n-A cali-FORWARD -j DROP\n",
            nftables: "",
            netPrograms:
                "xdp:\n\ntc:\neth0(2) clsact/ingress cali_tc_preambl:[41] id 41\n" +
                "2090: sched_cls  name cali_tc_preamble  tag 2867a165a39887dd  gpl\n",
            cgroupPrograms:
                "ID       AttachType      AttachFlags     Name           \n57       cgroup_inet4_connect multi           calico_connect_v4\n58       cgroup_udp4_sendmsg multi           calico_sendmsg_v4\n",
        });
        assert.deepEqual(state, {
            caliRules: 2,
            nftablesCalico: false,
            tcPrograms: 2,
            cgroupPrograms: 2,
        });
        assert.equal(liveDataplane(state), "bpf");
    });

    it("tells iptables from nftables, and nothing from either", () => {
        assert.equal(
            liveDataplane(summarizeDataplane({ ...none, iptables: "-A cali-INPUT -j ACCEPT\n" })),
            "iptables",
        );
        assert.equal(
            liveDataplane(summarizeDataplane({ ...none, nftables: "table ip calico {\n}\n" })),
            "nftables",
        );
        assert.equal(liveDataplane(summarizeDataplane(none)), undefined);
    });
});
