import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InterruptedError } from "../../../../tools/cli/passphrase";
import type { StudyOptions } from "../../../../tools/lab/command";
import { parseStudyRecord, planStudy, type StudyRecord } from "../../../../tools/lab/study/plan";
import { runStudy, type StudyStore, type ToolRun } from "../../../../tools/lab/study/study";
import { fakeStack, type FakeStack } from "../../../support/pulumi-fakes";

/** The steps of a --skip-bench study, in order. */
const QUICK = planStudy({ skipBench: true, destroy: false }).map((step) => step.name);

const OPTIONS: StudyOptions = {
    fromScratch: false,
    destroy: false,
    skipBench: false,
    benchArgs: [],
};

function memoryStore(initial?: StudyRecord) {
    let text = initial === undefined ? undefined : JSON.stringify(initial);
    const reports: string[] = [];
    let archived = 0;
    const store: StudyStore = {
        read: () => text,
        write: (record, report) => {
            text = JSON.stringify(record);
            reports.push(report);
        },
        archive: () => {
            if (text === undefined) return undefined;
            text = undefined;
            archived++;
            return "/r/study-old";
        },
        resultsFile: "/r/study/results.json",
        reportPath: "/r/study/study.md",
    };
    return {
        store,
        reports,
        record: () => (text === undefined ? undefined : parseStudyRecord(text)),
        archived: () => archived,
    };
}

/** A stack whose dataplane output follows its dataplane config, as the real program's does. */
function labStack(): FakeStack {
    const stack = fakeStack("dev");
    const outputs = () => ({
        kubeconfig: { value: "apiVersion: v1 # secret", secret: true },
        yaobankUrl: { value: "http://20.1.2.3/", secret: false },
        dataplane: { value: stack.config["dataplane"]?.value ?? "iptables", secret: false },
    });
    return Object.assign(stack, {
        up: async (op: Parameters<FakeStack["up"]>[0]) => {
            stack.calls.push(`up ${stack.config["dataplane"]?.value ?? ""}`);
            op.onOutput("Updating\n");
            return Promise.resolve(outputs());
        },
        outputs: () => {
            stack.calls.push("outputs");
            return Promise.resolve(outputs());
        },
    });
}

interface ToolCall {
    tool: string;
    args: readonly string[];
    kubeconfig: string;
}

function tools(answer: (call: ToolCall) => ToolRun) {
    const calls: ToolCall[] = [];
    return {
        calls,
        runTool: (tool: "verify" | "bench", args: readonly string[], kubeconfig: string) => {
            const call = { tool, args, kubeconfig };
            calls.push(call);
            return Promise.resolve(answer(call));
        },
    };
}

const dataplaneArg = (args: readonly string[]) => args[args.indexOf("--expect") + 1];
const passing = (call: ToolCall): ToolRun =>
    call.tool === "verify"
        ? {
              code: 0,
              stdout: JSON.stringify({
                  ok: true,
                  summary: `PASS: ${dataplaneArg(call.args) ?? ""}`,
              }),
              tail: [],
          }
        : {
              code: 0,
              stdout: JSON.stringify({
                  id: `run-${String(call.args.length)}`,
                  dataplane: "iptables",
                  fingerprint: { vmSize: "D2s" },
              }),
              tail: [],
          };

function deps(
    stack: FakeStack,
    store: StudyStore,
    runTool: ReturnType<typeof tools>["runTool"],
    extra: { destroyed?: string[]; interrupted?: () => boolean } = {},
) {
    let clock = 0;
    const log: string[] = [];
    return {
        log,
        deps: {
            stack,
            operation: {
                onOutput: () => undefined,
                color: "never" as const,
                signal: new AbortController().signal,
            },
            destroyLab: () => {
                extra.destroyed?.push("destroy");
                return Promise.resolve();
            },
            runTool,
            store,
            now: () => (clock += 60_000),
            log: (line: string) => log.push(line),
            outputTail: () => ["last engine line"],
            interrupted: extra.interrupted ?? (() => false),
        },
    };
}

describe("runStudy", () => {
    it("runs the whole experiment in order, with the kubeconfig only in the tools' environment", async () => {
        const stack = labStack();
        const { store, reports, record } = memoryStore();
        // bench reports the dataplane it measured; follow the stack's.
        const t = tools((call) =>
            call.tool === "bench"
                ? {
                      code: 0,
                      stdout: JSON.stringify({
                          id: "r",
                          dataplane: stack.config["dataplane"]?.value,
                          fingerprint: { vmSize: "D2s" },
                      }),
                      tail: [],
                  }
                : passing(call),
        );
        const { deps: d } = deps(stack, store, t.runTool);
        await runStudy("dev", { ...OPTIONS, benchArgs: ["--repeat", "3"] }, d);
        assert.deepEqual(
            stack.calls.filter((call) => call.startsWith("up") || call.startsWith("setConfig")),
            [
                "setConfig dataplane=iptables",
                "up iptables",
                "setConfig dataplane=bpf",
                "up bpf",
                "setConfig dataplane=iptables",
                "up iptables",
            ],
        );
        assert.deepEqual(
            t.calls.map((call) =>
                `${call.tool} ${call.tool === "verify" ? (dataplaneArg(call.args) ?? "") : ""}`.trim(),
            ),
            ["verify iptables", "bench", "verify bpf", "bench", "verify iptables"],
        );
        for (const call of t.calls) {
            assert.equal(call.kubeconfig, "apiVersion: v1 # secret");
            assert.ok(call.args.includes("--kubeconfig-env"));
            assert.ok(
                !call.args.some((arg) => arg.includes("secret")),
                "the kubeconfig is never an argument",
            );
        }
        const bench = t.calls.find((call) => call.tool === "bench");
        assert.deepEqual(bench?.args, [
            "--json",
            "--kubeconfig-env",
            "--results",
            "/r/study/results.json",
            "--repeat",
            "3",
        ]);
        const final = record();
        assert.ok(final !== undefined);
        assert.equal(final.results.length, 8);
        assert.ok(final.results.every((result) => result.ok));
        assert.equal(final.results[0]?.durationSeconds, 60);
        assert.equal(reports.length, 8, "the report is rewritten after every step");
        assert.match(reports.at(-1) ?? "", /\*\*Complete\.\*\* The lab is still up/);
        assert.ok(
            !JSON.stringify(final).includes("apiVersion"),
            "the kubeconfig never reaches the disk",
        );
    });

    it("stops at a failed verify with its name, last lines and how to resume; never destroys", async () => {
        const stack = labStack();
        const { store, record } = memoryStore();
        const destroyed: string[] = [];
        const t = tools((call) =>
            call.tool === "verify" && dataplaneArg(call.args) === "bpf"
                ? {
                      code: 1,
                      stdout: JSON.stringify({
                          ok: false,
                          summary: "FAIL: eBPF: the app saw a node IP",
                      }),
                      tail: ["verify: line 1", "verify: line 2"],
                  }
                : passing(call),
        );
        const { deps: d, log } = deps(stack, store, t.runTool, { destroyed });
        await assert.rejects(
            runStudy("dev", { ...OPTIONS, skipBench: true, destroy: true }, d),
            /stopped at verify-bpf \(verify eBPF: the client's address is preserved\): FAIL: eBPF: the app saw a node IP; .*`npm run lab -- study` resumes from this step/,
        );
        assert.deepEqual(destroyed, []);
        assert.ok(log.includes("  | verify: line 2"));
        assert.deepEqual(
            record()?.results.map((r) => `${r.name}:${String(r.ok)}`),
            ["up-iptables:true", "verify-iptables:true", "flip-to-bpf:true", "verify-bpf:false"],
        );
    });

    it("resumes from the failed step, keeping what was done", async () => {
        const stack = labStack();
        stack.config["dataplane"] = { value: "bpf" };
        const { store, record } = memoryStore({
            version: 1,
            stack: "dev",
            startedAt: "2026-11-20T10:00:00.000Z",
            benchArgs: [],
            results: [
                {
                    name: "up-iptables",
                    ok: true,
                    startedAt: "t",
                    durationSeconds: 900,
                    summary: "",
                },
                {
                    name: "verify-iptables",
                    ok: true,
                    startedAt: "t",
                    durationSeconds: 30,
                    summary: "",
                },
                {
                    name: "flip-to-bpf",
                    ok: true,
                    startedAt: "t",
                    durationSeconds: 300,
                    summary: "",
                },
                { name: "verify-bpf", ok: false, startedAt: "t", durationSeconds: 30, summary: "" },
            ],
        });
        const t = tools(passing);
        const { deps: d, log } = deps(stack, store, t.runTool);
        await runStudy("dev", { ...OPTIONS, skipBench: true }, d);
        const [first] = t.calls;
        assert.ok(first !== undefined);
        assert.equal(first.tool, "verify");
        assert.equal(dataplaneArg(first.args), "bpf");
        assert.ok(log.some((line) => line.startsWith("resuming at verify-bpf")));
        assert.equal(record()?.startedAt, "2026-11-20T10:00:00.000Z");
        assert.deepEqual(
            record()?.results.map((r) => r.name),
            QUICK,
        );
    });

    it("--from-scratch moves the earlier study aside and runs every step", async () => {
        const stack = labStack();
        const previous: StudyRecord = {
            version: 1,
            stack: "dev",
            startedAt: "old",
            benchArgs: [],
            results: [
                { name: "up-iptables", ok: true, startedAt: "t", durationSeconds: 1, summary: "" },
            ],
        };
        const memory = memoryStore(previous);
        const { deps: d } = deps(stack, memory.store, tools(passing).runTool);
        await runStudy("dev", { ...OPTIONS, skipBench: true, fromScratch: true }, d);
        assert.equal(memory.archived(), 1);
        assert.equal(stack.calls.filter((call) => call.startsWith("up")).length, 3);
    });

    it("a bench that measured the other dataplane fails its step", async () => {
        const stack = labStack();
        const { store } = memoryStore();
        const t = tools((call) =>
            call.tool === "bench"
                ? { code: 0, stdout: JSON.stringify({ id: "r", dataplane: "bpf" }), tail: [] }
                : passing(call),
        );
        const { deps: d } = deps(stack, store, t.runTool);
        await assert.rejects(
            runStudy("dev", OPTIONS, d),
            /stopped at bench-iptables .*bench measured bpf, not iptables/,
        );
    });

    it("an interrupted up is recorded and ends as an interruption", async () => {
        const stack = labStack();
        const failing = Object.assign(stack, {
            up: () =>
                Promise.reject(
                    new Error("code: 255\n stdout: \n stderr: error: update canceled\n err?: \n"),
                ),
        });
        const { store, record } = memoryStore();
        const { deps: d } = deps(failing, store, tools(passing).runTool, {
            interrupted: () => true,
        });
        await assert.rejects(runStudy("dev", OPTIONS, d), InterruptedError);
        assert.deepEqual(
            record()?.results.map((r) => `${r.name}:${r.summary}`),
            ["up-iptables:interrupted"],
        );
    });

    it("a complete study on disk is left alone; --destroy then tears the lab down", async () => {
        const plan = QUICK;
        const complete: StudyRecord = {
            version: 1,
            stack: "dev",
            startedAt: "s",
            benchArgs: [],
            results: plan.map((name) => ({
                name,
                ok: true,
                startedAt: "t",
                durationSeconds: 1,
                summary: "",
            })),
        };
        const stack = labStack();
        const destroyed: string[] = [];
        const first = deps(stack, memoryStore(complete).store, tools(passing).runTool, {
            destroyed,
        });
        await runStudy("dev", { ...OPTIONS, skipBench: true }, first.deps);
        assert.deepEqual(stack.calls, []);
        assert.ok(first.log.some((line) => /complete .*--from-scratch/.test(line)));
        const second = deps(stack, memoryStore(complete).store, tools(passing).runTool, {
            destroyed,
        });
        await runStudy("dev", { ...OPTIONS, skipBench: true, destroy: true }, second.deps);
        assert.deepEqual(destroyed, ["destroy"]);
    });
});
