import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HELP } from "../../../tools/cli/args";
import { InterruptedError } from "../../../tools/cli/passphrase";
import type { AzResult } from "../../../tools/lab/azure-credential";
import { parseLabCommand, type LabCommand } from "../../../tools/lab/command";
import { DESTROY_ENV, runLabCommand, type DriverDeps } from "../../../tools/lab/driver";
import {
    commandError,
    fakeStack,
    fakeWorkspace,
    type FakeWorkspace,
} from "../../support/pulumi-fakes";

const SP = {
    ARM_CLIENT_ID: "app",
    ARM_CLIENT_SECRET: "s",
    ARM_TENANT_ID: "t",
    ARM_SUBSCRIPTION_ID: "sub",
};

function command(...argv: string[]): LabCommand {
    const parsed = parseLabCommand(argv);
    assert.notEqual(parsed, HELP);
    return parsed as LabCommand;
}

function harness(workspace: FakeWorkspace, overrides: Partial<DriverDeps> = {}) {
    const lines: string[] = [];
    const out: string[] = [];
    const cliRuns: string[][] = [];
    const azRuns: string[][] = [];
    const deps: DriverDeps = {
        env: { ...SP, PULUMI_CONFIG_PASSPHRASE: "x" },
        nodeVersion: "22.20.0",
        connect: () =>
            Promise.resolve({
                workspace,
                runCli: (args) => {
                    cliRuns.push([...args]);
                    return Promise.resolve(0);
                },
            }),
        terminal: {
            env: { PULUMI_CONFIG_PASSPHRASE: "x" },
            interactive: false,
            ask: () => Promise.reject(new Error("no prompt")),
        },
        runAz: (args): Promise<AzResult> => {
            azRuns.push([...args]);
            return Promise.resolve(undefined);
        },
        readSecretValue: () => Promise.resolve("typed-secret"),
        operation: {
            onOutput: (text) => out.push(text),
            color: "never",
            signal: new AbortController().signal,
        },
        interrupted: () => false,
        study: () => Promise.resolve(),
        stackName: "dev",
        stdout: (text) => out.push(text),
        report: (line) => lines.push(line),
        ...overrides,
    };
    return { deps, lines, out, cliRuns, azRuns };
}

describe("runLabCommand", () => {
    it("passes version/plugin through without selecting or creating a stack", async () => {
        const workspace = fakeWorkspace();
        const h = harness(workspace);
        assert.equal(await runLabCommand(command("plugin", "ls"), h.deps), 0);
        assert.deepEqual(h.cliRuns, [["plugin", "ls"]]);
        assert.deepEqual(workspace.calls, []);
    });
    it("up: checks the credential, creates the stack when missing, streams the engine's output", async () => {
        const workspace = fakeWorkspace([], {}, { print: "Updating (dev)\n" });
        const h = harness(workspace);
        assert.equal(await runLabCommand(command("up"), h.deps), 0);
        assert.deepEqual(workspace.calls, ["stackFileConfig dev", "select dev", "create dev"]);
        assert.deepEqual(workspace.stacks.get("dev")?.calls, ["up color=never"]);
        assert.deepEqual(h.out, ["Updating (dev)\n"]);
        assert.deepEqual(h.lines, [
            "Node 22.20.0",
            "Azure: service principal app with a client secret, from ARM_* or azure-native config",
            "stack dev created (local state)",
        ]);
    });
    it("refuses to reach Azure without a credential, before touching the stack", async () => {
        const workspace = fakeWorkspace([fakeStack("dev")]);
        const h = harness(workspace, { env: {} });
        await assert.rejects(
            runLabCommand(command("preview"), h.deps),
            /no Azure credential: run `az login`.*ARM_CLIENT_ID/,
        );
        assert.deepEqual(workspace.calls, ["stackFileConfig dev"]);
        assert.equal(h.azRuns.length, 1);
    });
    it("read-only commands need no credential and never create the stack", async () => {
        const workspace = fakeWorkspace();
        const h = harness(workspace, { env: {} });
        await assert.rejects(runLabCommand(command("stack", "output"), h.deps), /no stack dev yet/);
        await assert.rejects(
            runLabCommand(command("config", "get", "dataplane"), h.deps),
            /no stack dev yet/,
        );
        assert.deepEqual(workspace.calls, ["select dev", "select dev"]);
        assert.deepEqual(h.azRuns, []);
    });
    it("refresh and destroy reach Azure but never create the stack", async () => {
        const workspace = fakeWorkspace();
        const h = harness(workspace);
        await assert.rejects(runLabCommand(command("destroy"), h.deps), /no stack dev yet/);
        await assert.rejects(runLabCommand(command("refresh"), h.deps), /no stack dev yet/);
        assert.ok(
            !workspace.calls.some((call) => call.startsWith("create")),
            workspace.calls.join(),
        );
    });
    it("destroy lets the Kubernetes provider drop an unreachable cluster's objects", async () => {
        const workspace = fakeWorkspace([fakeStack("dev")]);
        const h = harness(workspace);
        await runLabCommand(command("destroy"), h.deps);
        assert.equal(
            workspace.env["PULUMI_K8S_DELETE_UNREACHABLE"],
            DESTROY_ENV.PULUMI_K8S_DELETE_UNREACHABLE,
        );
        assert.deepEqual(workspace.stacks.get("dev")?.calls, ["destroy color=never"]);
        const up = fakeWorkspace([fakeStack("dev")]);
        await runLabCommand(command("up"), harness(up).deps);
        assert.equal(up.env["PULUMI_K8S_DELETE_UNREACHABLE"], undefined);
    });
    it("stack output masks secrets unless asked", async () => {
        const outputs = {
            kubeconfig: { value: "apiVersion: v1\nkind: Config", secret: true },
            dataplane: { value: "bpf", secret: false },
        };
        const h = harness(fakeWorkspace([fakeStack("dev", { outputs })]));
        await runLabCommand(command("stack", "output"), h.deps);
        await runLabCommand(command("stack", "output", "kubeconfig", "--show-secrets"), h.deps);
        assert.equal(h.out[0], "OUTPUT      VALUE\ndataplane   bpf\nkubeconfig  [secret]\n");
        assert.equal(h.out[1], "apiVersion: v1\nkind: Config\n");
    });
    it("config set: a secret typed nowhere on the line is read, then stored as a secret", async () => {
        const stack = fakeStack("dev");
        const h = harness(fakeWorkspace([stack]));
        await runLabCommand(
            command("config", "set", "--secret", "azure-native:clientSecret"),
            h.deps,
        );
        await runLabCommand(command("config", "set", "dataplane", "bpf"), h.deps);
        assert.deepEqual(stack.calls, [
            "setConfig azure-native:clientSecret=[secret]",
            "setConfig dataplane=bpf",
        ]);
        assert.deepEqual(stack.config["azure-native:clientSecret"], {
            value: "typed-secret",
            secret: true,
        });
    });
    it("says what a CLI failure means in one line", async () => {
        const stack = fakeStack("dev", {
            fail: { up: commandError("error: the stack is currently locked by 1 lock(s).") },
        });
        const h = harness(fakeWorkspace([stack]));
        await assert.rejects(
            runLabCommand(command("up"), h.deps),
            /stack dev is locked by another update/,
        );
    });
    it("reports a cancelled operation after Ctrl-C as an interruption", async () => {
        const stack = fakeStack("dev", { fail: { up: commandError("error: update canceled") } });
        const h = harness(fakeWorkspace([stack]), { interrupted: () => true });
        await assert.rejects(runLabCommand(command("up"), h.deps), InterruptedError);
    });
    it("hands the study the stack and a destroy that sets the same environment", async () => {
        const workspace = fakeWorkspace([fakeStack("dev")]);
        let ran = false;
        const h = harness(workspace, {
            study: async (stack, options, destroyLab) => {
                assert.equal(stack.name, "dev");
                assert.equal(options.destroy, true);
                await destroyLab();
                ran = true;
            },
        });
        await runLabCommand(command("study", "--destroy"), h.deps);
        assert.ok(ran);
        assert.equal(workspace.env["PULUMI_K8S_DELETE_UNREACHABLE"], "true");
    });
});
