import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    appendRun,
    formatResults,
    readResults,
    RESULTS_VERSION,
} from "../../../tools/bench/results";
import { fakeRun } from "../../support/bench";

const FILE = "/lab/bench-results/results.json";

describe("the results file", () => {
    it("starts empty, appends runs, and reads back what it wrote, one run per line", () => {
        const empty = readResults(undefined, FILE);
        assert.deepEqual(empty, { version: RESULTS_VERSION, runs: [] });
        const results = appendRun(
            appendRun(empty, fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1] })),
            fakeRun({ id: "b", dataplane: "bpf", vcpuPerGbps: [0.8] }),
        );
        const text = formatResults(results);
        assert.deepEqual(readResults(text, FILE), JSON.parse(JSON.stringify(results)));
        assert.equal(text.split("\n").filter((l) => l.startsWith('    {"id":')).length, 2);
        assert.deepEqual(readResults(formatResults(empty), FILE), empty);
    });

    it("keeps the raw samples: CPU counters and latency histograms", () => {
        const run = fakeRun({
            id: "a",
            dataplane: "iptables",
            vcpuPerGbps: [1],
            connectP99Us: { 0: [300] },
        });
        const read = readResults(formatResults(appendRun(readResults("", FILE), run)), FILE)
            .runs[0];
        assert.ok(read);
        assert.equal(read.cpuLogs.client.cpus, 2);
        const crr = read.measurements.find((m) => m.flow === "crr");
        assert.ok(crr !== undefined && "fortio" in crr && crr.fortio.connect?.buckets.length === 1);
    });

    it("refuses a version 1 file, saying how to keep it", () => {
        assert.throws(
            () => readResults('{"version": 1, "runs": []}', FILE),
            new RegExp(
                "holds version 1 runs .* move it aside \\(mv /lab/bench-results/results.json /lab/bench-results/results-v1.json\\)",
            ),
        );
        assert.throws(() => readResults('{"version": 3, "runs": []}', FILE), /not a version 2/);
        assert.throws(() => readResults("{oops", FILE), /is not JSON/);
    });

    it("refuses a run already recorded", () => {
        const run = fakeRun({ id: "a", dataplane: "iptables", vcpuPerGbps: [1] });
        assert.throws(
            () => appendRun(appendRun(readResults("", FILE), run), run),
            /run a is already/,
        );
    });
});
