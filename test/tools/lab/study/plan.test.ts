import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    parseStudyRecord,
    planStudy,
    resumeFrom,
    StudyError,
    type StepResult,
    type StudyRecord,
} from "../../../../tools/lab/study/plan";

const names = (steps: readonly { name: string }[]) => steps.map((step) => step.name);
const done = (name: string, ok = true): StepResult => ({
    name,
    ok,
    startedAt: "t",
    durationSeconds: 1,
    summary: "",
});
const record = (results: StepResult[], benchArgs: string[] = [], stack = "dev"): StudyRecord => ({
    version: 1,
    stack,
    startedAt: "t",
    benchArgs,
    results,
});

describe("planStudy", () => {
    it("builds and measures iptables, flips to eBPF and measures, flips back and verifies", () => {
        const plan = planStudy({ skipBench: false, destroy: false });
        assert.deepEqual(names(plan), [
            "up-iptables",
            "verify-iptables",
            "bench-iptables",
            "flip-to-bpf",
            "verify-bpf",
            "bench-bpf",
            "revert-to-iptables",
            "verify-revert",
        ]);
        assert.deepEqual(
            plan.map((step) => step.dataplane),
            ["iptables", "iptables", "iptables", "bpf", "bpf", "bpf", "iptables", "iptables"],
        );
    });
    it("--skip-bench drops the measurements, --destroy adds the teardown last", () => {
        const plan = planStudy({ skipBench: true, destroy: true });
        assert.ok(!plan.some((step) => step.kind === "bench"));
        assert.equal(plan.at(-1)?.kind, "destroy");
    });
});

describe("resumeFrom", () => {
    const plan = planStudy({ skipBench: false, destroy: false });
    const current = { stack: "dev", benchArgs: [] };
    it("runs everything without a record", () => {
        assert.deepEqual(names(resumeFrom(plan, undefined, current).remaining), names(plan));
    });
    it("continues from the first step without a successful result, re-running everything after it", () => {
        const resume = resumeFrom(
            plan,
            record([
                done("up-iptables"),
                done("verify-iptables"),
                done("bench-iptables"),
                done("flip-to-bpf", false),
                done("verify-bpf"),
            ]),
            current,
        );
        assert.deepEqual(names(resume.kept), ["up-iptables", "verify-iptables", "bench-iptables"]);
        assert.deepEqual(names(resume.remaining), [
            "flip-to-bpf",
            "verify-bpf",
            "bench-bpf",
            "revert-to-iptables",
            "verify-revert",
        ]);
    });
    it("has nothing left of a complete study", () => {
        const resume = resumeFrom(plan, record(plan.map((step) => done(step.name))), current);
        assert.deepEqual(resume.remaining, []);
        assert.equal(resume.kept.length, plan.length);
    });
    it("picks up a bench step a --skip-bench study left out", () => {
        const quick = planStudy({ skipBench: true, destroy: false });
        const resume = resumeFrom(plan, record(quick.map((step) => done(step.name))), current);
        assert.equal(resume.remaining[0]?.name, "bench-iptables");
    });
    it("refuses another stack's study", () => {
        assert.throws(
            () => resumeFrom(plan, record([done("up-iptables")], [], "prod"), current),
            (error: Error) =>
                error instanceof StudyError && /of stack prod, not dev/.test(error.message),
        );
    });
    it("refuses to mix bench runs made with other options", () => {
        const previous = record(
            [done("up-iptables"), done("verify-iptables"), done("bench-iptables")],
            ["--repeat", "3"],
        );
        assert.throws(() => resumeFrom(plan, previous, current), /measured with "--repeat 3"/);
        assert.equal(
            resumeFrom(plan, previous, { stack: "dev", benchArgs: ["--repeat", "3"] }).remaining[0]
                ?.name,
            "flip-to-bpf",
        );
    });
});

describe("parseStudyRecord", () => {
    it("reads a record back and refuses anything else", () => {
        const text = JSON.stringify(record([done("up-iptables")]));
        assert.equal(parseStudyRecord(text).results.length, 1);
        assert.throws(() => parseStudyRecord("{"), /not JSON: --from-scratch/);
        assert.throws(() => parseStudyRecord('{"version":2}'), /not a version 1 study/);
    });
});
