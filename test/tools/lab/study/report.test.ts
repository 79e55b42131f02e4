import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planStudy, type StudyRecord } from "../../../../tools/lab/study/plan";
import {
    fingerprintLines,
    formatDuration,
    renderStudyReport,
} from "../../../../tools/lab/study/report";

describe("formatDuration", () => {
    it("reads as minutes and seconds", () => {
        assert.equal(formatDuration(42.4), "42 s");
        assert.equal(formatDuration(365), "6 min 05 s");
    });
});

describe("fingerprintLines", () => {
    it("flattens nested fields", () => {
        assert.deepEqual(
            fingerprintLines({
                vmSize: "Standard_D2s_v3",
                calico: { version: "v3.31.2" },
                nodes: ["a", "b"],
            }),
            ["vmSize: Standard_D2s_v3", "calico.version: v3.31.2", 'nodes: ["a","b"]'],
        );
        assert.deepEqual(fingerprintLines(undefined), []);
    });
});

describe("renderStudyReport", () => {
    const plan = planStudy({ skipBench: false, destroy: false });
    const record: StudyRecord = {
        version: 1,
        stack: "dev",
        startedAt: "2026-11-20T10:00:00.000Z",
        benchArgs: ["--repeat", "3"],
        results: [
            {
                name: "up-iptables",
                ok: true,
                startedAt: "t",
                durationSeconds: 900,
                summary: "up done",
            },
            {
                name: "verify-iptables",
                ok: true,
                startedAt: "t",
                durationSeconds: 30,
                summary: "PASS: iptables: node IP",
            },
            {
                name: "bench-iptables",
                ok: true,
                startedAt: "t",
                durationSeconds: 300,
                summary: "run a1 on iptables",
                detail: {
                    id: "a1",
                    dataplane: "iptables",
                    fingerprint: { vmSize: "Standard_D2s_v3" },
                },
            },
            {
                name: "flip-to-bpf",
                ok: true,
                startedAt: "t",
                durationSeconds: 372,
                summary: "up done",
            },
            {
                name: "verify-bpf",
                ok: false,
                startedAt: "t",
                durationSeconds: 200,
                summary: "FAIL: eBPF | node IP",
            },
        ],
    };
    it("shows each step's outcome and duration, the flip time, the verdicts and the fingerprint", () => {
        const report = renderStudyReport(record, plan, {
            failed: "verify-bpf",
            complete: false,
            destroyed: false,
        });
        assert.match(report, /\*\*Stopped at `verify-bpf`\.\*\*.*resumes from that step/);
        assert.match(
            report,
            /\| `up-iptables` \| build \(or adopt\) the lab on iptables \| ok \| 15 min 00 s \| up done \|/,
        );
        assert.match(
            report,
            /\| `verify-bpf` \| .* \| \*\*failed\*\* \| 3 min 20 s \| FAIL: eBPF \\\| node IP \|/,
        );
        assert.match(report, /\| `bench-bpf` \| measure eBPF \| not run \|/);
        assert.match(report, /- flip to eBPF \(`up`, end to end\): 6 min 12 s/);
        assert.match(report, /- verify iptables: PASS: iptables: node IP/);
        assert.match(report, /Bench options: --repeat 3/);
        assert.match(report, /iptables run:\n\n- vmSize: Standard_D2s_v3/);
    });
    it("says whether the lab is still up", () => {
        assert.match(
            renderStudyReport(record, plan, { complete: true, destroyed: false }),
            /still up, on iptables, and billing: `npm run lab -- destroy`/,
        );
        assert.match(
            renderStudyReport(record, plan, { complete: true, destroyed: true }),
            /destroyed at the end/,
        );
    });
});
