import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backendEnv, openStack } from "../../../tools/cli/pulumi-stack";
import { fakeStack, fakeWorkspace } from "../../support/pulumi-fakes";

const asking = (answers: string[]) => ({
    env: {},
    interactive: true,
    ask: () => Promise.resolve(answers.shift() ?? ""),
});

describe("backendEnv", () => {
    it("uses the project's state folder unless PULUMI_BACKEND_URL is set", () => {
        assert.deepEqual(backendEnv({}, "/p/.pulumi-state"), {
            PULUMI_BACKEND_URL: "file:///p/.pulumi-state",
            local: true,
        });
        assert.deepEqual(backendEnv({ PULUMI_BACKEND_URL: "s3://b" }, "/p/.pulumi-state"), {
            PULUMI_BACKEND_URL: "s3://b",
            local: false,
        });
    });
});

describe("openStack", () => {
    it("never creates a stack for a read-only command, and asks no passphrase for it", async () => {
        const workspace = fakeWorkspace();
        await assert.rejects(
            openStack(workspace, { stack: "dev", create: false }, asking(["p"])),
            /no stack dev yet/,
        );
        assert.deepEqual(workspace.calls, ["select dev"]);
    });
    it("selects an existing stack with its passphrase in the CLI's environment", async () => {
        const workspace = fakeWorkspace([fakeStack("dev")]);
        const opened = await openStack(workspace, { stack: "dev", create: true }, asking(["p"]));
        assert.equal(opened.created, false);
        assert.deepEqual(workspace.calls, ["select dev", "addEnv PULUMI_CONFIG_PASSPHRASE"]);
        assert.equal(workspace.env["PULUMI_CONFIG_PASSPHRASE"], "p");
    });
    it("creates a missing stack only after the passphrase was confirmed", async () => {
        const workspace = fakeWorkspace();
        const opened = await openStack(
            workspace,
            { stack: "lab2", create: true },
            asking(["p", "p"]),
        );
        assert.equal(opened.created, true);
        assert.deepEqual(workspace.calls, [
            "select lab2",
            "addEnv PULUMI_CONFIG_PASSPHRASE",
            "create lab2",
        ]);
        const mismatch = fakeWorkspace();
        await assert.rejects(
            openStack(mismatch, { stack: "lab2", create: true }, asking(["p", "q"])),
            /differ/,
        );
        assert.deepEqual(mismatch.calls, ["select lab2"]);
    });
    it("leaves the environment's passphrase to the CLI", async () => {
        const workspace = fakeWorkspace([fakeStack("dev")]);
        await openStack(
            workspace,
            { stack: "dev", create: false },
            { ...asking([]), env: { PULUMI_CONFIG_PASSPHRASE: "x" } },
        );
        assert.deepEqual(workspace.calls, ["select dev"]);
    });
});
