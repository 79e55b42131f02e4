import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare, groupRuns } from "../../../tools/bench/compare";
import { fakeRun, recordedFingerprint, servicesAxisRuns } from "../../support/bench";

const otherKernel = () => {
    const fingerprint = recordedFingerprint();
    return { ...fingerprint, client: { ...fingerprint.client, kernelVersion: "6.8.0-1050-azure" } };
};

describe("groupRuns", () => {
    it("merges runs of both dataplanes on one fingerprint, and never runs on different ones", () => {
        const runs = [
            fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1] }),
            fakeRun({ id: "b", dataplane: "bpf", vcpuPerGbps: [1], nftablesMode: "Enabled" }),
            fakeRun({ id: "c", dataplane: "bpf", vcpuPerGbps: [1], fingerprint: otherKernel() }),
            fakeRun({ id: "d", dataplane: "iptables", vcpuPerGbps: [1] }),
        ];
        const groups = groupRuns(runs);
        // Newest first: d's group (with a and b), then c's.
        assert.deepEqual(
            groups.map((g) => g.runs.map((r) => r.id)),
            [["a", "b", "d"], ["c"]],
        );
        assert.equal(groups[0]?.settings.bpf?.nftablesMode, "Enabled");
    });

    it("keeps apart runs of one dataplane whose own settings differ", () => {
        const groups = groupRuns([
            fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1], nftablesMode: "Disabled" }),
            fakeRun({ id: "b", dataplane: "iptables", vcpuPerGbps: [1], nftablesMode: "Enabled" }),
        ]);
        assert.deepEqual(
            groups.map((g) => g.runs.map((r) => r.id)),
            [["b"], ["a"]],
        );
    });
});

describe("compare", () => {
    it("gives the median and range per flow and dataplane, over repetitions and runs", () => {
        const [group] = compare([
            fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1.0, 1.2] }),
            fakeRun({ id: "b", dataplane: "iptables", vcpuPerGbps: [1.1] }),
            fakeRun({ id: "c", dataplane: "bpf", vcpuPerGbps: [0.7, 0.75, 0.8] }),
        ]);
        const tcp = group?.throughput.find((r) => r.flow === "p2p-tcp");
        assert.ok(tcp);
        assert.deepEqual(tcp.vcpuPerGbps.iptables, { n: 3, median: 1.1, min: 1.0, max: 1.2 });
        assert.deepEqual(tcp.vcpuPerGbps.bpf, { n: 3, median: 0.75, min: 0.7, max: 0.8 });
        assert.equal(tcp.vcpuPerGbps.verdict?.kind, "different");
        assert.equal(tcp.softirq.iptables?.median, 0.55);
        assert.equal(tcp.retransmits.iptables?.median, 3);
        assert.equal(
            group?.throughput.find((r) => r.flow === "p2s-udp")?.lossPercent.bpf?.median,
            0.5,
        );
    });

    it("says no measurable difference when the ranges overlap", () => {
        const [group] = compare([
            fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1.0, 1.1, 1.4] }),
            fakeRun({ id: "b", dataplane: "bpf", vcpuPerGbps: [0.8, 0.9, 1.05] }),
        ]);
        assert.deepEqual(group?.throughput[0]?.vcpuPerGbps.verdict, {
            kind: "no-measurable-difference",
        });
    });

    it("charts connect time and programming latency per count of standing Services", () => {
        const [group] = compare(servicesAxisRuns());
        assert.ok(group);
        const crr = group.requests.filter((r) => r.flow === "crr");
        assert.deepEqual(
            crr.map((r) => r.services),
            [0, 1000, 5000],
        );
        const [atZero, , atFiveThousand] = crr.map((r) => r.connect["99"]);
        assert.equal(atZero?.verdict?.kind, "no-measurable-difference");
        assert.equal(atFiveThousand?.iptables?.median, 950);
        assert.equal(atFiveThousand.verdict?.kind, "different");
        assert.deepEqual(
            group.programming.map((p) => [p.services, p.programmedMs.bpf?.median]),
            [
                [0, 800],
                [5000, 850],
            ],
        );
        assert.equal(group.requests.find((r) => r.flow === "rr")?.rate.iptables?.n, 3);
    });

    it("leaves out a percentile from runs with too few samples to carry it", () => {
        const [group] = compare([
            fakeRun({
                id: "a",
                dataplane: "iptables",
                vcpuPerGbps: [1],
                connectP99Us: { 0: [300] },
                samples: 5_000,
            }),
        ]);
        const crr = group?.requests.find((r) => r.flow === "crr");
        assert.equal(crr?.connect["99.9"]?.iptables, undefined);
        assert.equal(crr?.connect["99"]?.iptables?.median, 300);
    });
});
