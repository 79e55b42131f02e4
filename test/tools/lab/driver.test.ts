import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HELP, UsageError } from "../../../tools/cli/args";
import { InterruptedError } from "../../../tools/cli/passphrase";
import type { AzResult } from "../../../tools/lab/azure-credential";
import { parseLabCommand, type LabCommand } from "../../../tools/lab/command";
import { DESTROY_ENV, runLabCommand, type DriverDeps } from "../../../tools/lab/driver";
import { fakeStack, fakeWorkspace, type FakeWorkspace } from "../../support/pulumi-fakes";

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
        cliCanAsk: true,
        plan: () => Promise.reject(new Error("no plan here")),
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
        clearStaleLocks: () => [],
        removeTornMetadata: () => [],
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
    it("up: checks the credential, creates the stack when missing, hands up to the CLI on the terminal", async () => {
        const workspace = fakeWorkspace();
        const h = harness(workspace);
        assert.equal(await runLabCommand(command("up"), h.deps), 0);
        assert.deepEqual(workspace.calls, ["stackFileConfig dev", "select dev", "create dev"]);
        // No --yes: the CLI previews and asks, as `pulumi up` does.
        assert.deepEqual(workspace.stacks.get("dev")?.calls, ["run up"]);
        assert.deepEqual(h.lines, [
            "Node 22.20.0",
            "Azure: service principal app with a client secret, from ARM_* or azure-native config",
            "stack dev created (local state)",
        ]);
    });
    it("up, destroy and refresh report the stale locks they removed first; preview takes no lock and removes none", async () => {
        for (const operation of ["up", "destroy", "refresh", "preview"]) {
            const workspace = fakeWorkspace([fakeStack("dev")]);
            let cleared = 0;
            const h = harness(workspace, {
                clearStaleLocks: () => {
                    cleared++;
                    return ["removed stack dev's lock from T: its update (pid 7) no longer runs"];
                },
            });
            const argv = operation === "preview" ? [operation] : [operation, "--yes"];
            assert.equal(await runLabCommand(command(...argv), h.deps), 0);
            const removed = h.lines.filter((line) => line.startsWith("removed stack dev's lock"));
            assert.equal(cleared, operation === "preview" ? 0 : 1, operation);
            assert.equal(removed.length, cleared, operation);
            assert.deepEqual(workspace.stacks.get("dev")?.calls.length, 1, operation);
        }
    });
    it("every command that reaches the CLI removes torn metadata first, and says so before the stack opens", async () => {
        for (const argv of [["up", "--yes"], ["preview"], ["stack", "output"], ["plugin", "ls"]]) {
            const workspace = fakeWorkspace([fakeStack("dev")]);
            const h = harness(workspace, {
                removeTornMetadata: () => {
                    h.lines.push(`(workspace calls so far: ${String(workspace.calls.length)})`);
                    return ["removed 1 torn metadata file(s) from the state folder"];
                },
            });
            assert.equal(await runLabCommand(command(...argv), h.deps), 0, argv.join(" "));
            const at = h.lines.indexOf("removed 1 torn metadata file(s) from the state folder");
            assert.ok(at > 0, `${argv.join(" ")}: ${h.lines.join("\n")}`);
            assert.equal(h.lines[at - 1], "(workspace calls so far: 0)", argv.join(" "));
        }
    });
    it("up clears what a killed update left pending before it runs, and says so", async () => {
        const pending = {
            type: "creating",
            resource: {
                urn: "urn:pulumi:dev::aks-calico-lab::command:local:Command::calico-wait",
                type: "command:local:Command",
            },
        };
        const workspace = fakeWorkspace([
            fakeStack("dev", {
                exported: { version: 3, deployment: { pending_operations: [pending] } },
            }),
        ]);
        const h = harness(workspace);
        assert.equal(await runLabCommand(command("up", "--yes"), h.deps), 0);
        assert.deepEqual(workspace.stacks.get("dev")?.imported, [
            { version: 3, deployment: { pending_operations: [] } },
        ]);
        assert.ok(
            h.lines.some((line) => /^cleared 1 operation\(s\) .*calico-wait/.test(line)),
            h.lines.join("\n"),
        );
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
        assert.deepEqual(workspace.stacks.get("dev")?.calls, ["run destroy"]);
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
    it("hands the operations' Pulumi flags to the CLI as typed", async () => {
        const stack = fakeStack("dev");
        const h = harness(fakeWorkspace([stack]));
        await runLabCommand(command("up", "--refresh", "--yes", "--diff"), h.deps);
        await runLabCommand(command("destroy", "--skip-preview", "--target", "urn:a"), h.deps);
        await runLabCommand(command("refresh", "--target", "urn:a", "--target", "urn:b"), h.deps);
        await runLabCommand(command("preview", "--diff"), h.deps);
        assert.deepEqual(stack.calls, [
            "run up --yes --refresh --diff",
            "run destroy --skip-preview --target urn:a",
            "run refresh --target urn:a --target urn:b",
            "run preview --diff",
        ]);
    });
    it("without a terminal to ask on, refuses up, destroy and refresh without --yes before anything runs", async () => {
        for (const operation of ["up", "destroy", "refresh"]) {
            const workspace = fakeWorkspace([fakeStack("dev")]);
            const h = harness(workspace, { cliCanAsk: false });
            await assert.rejects(
                runLabCommand(command(operation), h.deps),
                (error: Error) =>
                    error instanceof UsageError &&
                    error.message.includes(`add --yes (npm run lab -- ${operation} --yes)`),
            );
            assert.deepEqual(h.lines, []);
            assert.deepEqual(workspace.calls, []);
        }
        for (const argv of [["up", "--yes"], ["destroy", "--skip-preview"], ["preview"]]) {
            const stack = fakeStack("dev");
            await runLabCommand(
                command(...argv),
                harness(fakeWorkspace([stack]), { cliCanAsk: false }).deps,
            );
            assert.deepEqual(stack.calls, [`run ${argv.join(" ")}`]);
        }
        const stack = fakeStack("dev");
        const h = harness(fakeWorkspace([stack]), {
            cliCanAsk: false,
            env: { ...SP, PULUMI_SKIP_CONFIRMATIONS: "true" },
        });
        await runLabCommand(command("up"), h.deps);
        assert.deepEqual(stack.calls, ["run up"]);
    });
    it("says when the CLI's operation failed, pointing at its output", async () => {
        const stack = fakeStack("dev", { runExit: 255 });
        const h = harness(fakeWorkspace([stack]));
        await assert.rejects(
            runLabCommand(command("up"), h.deps),
            /^Error: pulumi up ended with exit 255; its output above says why$/,
        );
    });
    it("after Ctrl-C during up or destroy, says the lab may be billing and how to finish or remove it", async () => {
        for (const operation of ["up", "destroy"]) {
            const stack = fakeStack("dev", { runExit: 255 });
            const h = harness(fakeWorkspace([stack]), { interrupted: () => true });
            await assert.rejects(
                runLabCommand(command(operation), h.deps),
                (error: Error) =>
                    error instanceof InterruptedError &&
                    /half built and billing.*`npm run lab -- up` finishes it, `npm run lab -- destroy` removes it/.test(
                        error.message,
                    ),
            );
        }
        const interruptedStudy = harness(fakeWorkspace([fakeStack("dev")]), {
            study: () => Promise.reject(new InterruptedError()),
        });
        await assert.rejects(
            runLabCommand(command("study"), interruptedStudy.deps),
            /half built and billing/,
        );
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
