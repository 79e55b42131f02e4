import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    classifyFailure,
    explained,
    PulumiCommandFailure,
    stderrOf,
} from "../../../tools/cli/pulumi-errors";
import { commandError } from "../../support/pulumi-fakes";

describe("stderrOf", () => {
    it("takes the stderr part of a CommandError's message", () => {
        const message =
            "code: 255\n stdout: Previewing update (dev):\n stderr: error: boom\n err?: \n";
        assert.equal(stderrOf(message), "error: boom");
    });
});

describe("classifyFailure", () => {
    const kind = (stderr: string) => classifyFailure(commandError(stderr).message, "dev");
    it("names each case the user can act on, in one line", () => {
        const cases = [
            [
                "error: getting secrets manager: incorrect passphrase",
                "incorrect-passphrase",
                /passphrase is not stack dev's/,
            ],
            [
                "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
                "missing-passphrase",
                /needs its passphrase/,
            ],
            [
                "error: no stack named 'dev' found",
                "no-stack",
                /no stack dev yet: `npm run lab -- up` creates it/,
            ],
            [
                "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
                "locked",
                /locked by another update.*`npm run lab -- cancel --stack dev --yes`/,
            ],
            [
                // What the tier's CLI printed for a stack file cut in half (faults, fault 9).
                "error: failed to load checkpoint: place 1: unexpected end of JSON input",
                "damaged-state",
                /^stack dev's state file \.pulumi\/stacks\/aks-calico-lab\/dev\.json is damaged \(place 1: unexpected end of JSON input\): nothing was changed; `npm run lab -- preview` removes .*dev\.json\.bak/,
            ],
            [
                // What the tier's CLI printed for an empty tier.json.attrs (torn-metadata.ts).
                "error: failed to load checkpoint: EOF",
                "damaged-state",
                /is damaged \(EOF\): nothing was changed; `npm run lab -- preview` removes metadata files a killed update left torn/,
            ],
            [
                "Command failed with ENOENT: pulumi stack\nspawn pulumi ENOENT",
                "no-cli",
                /cannot run the Pulumi CLI/,
            ],
            ["warning: x\nerror: update failed\nmore", "other", /^update failed$/],
        ] as const;
        for (const [stderr, expected, line] of cases) {
            const failure = kind(stderr);
            assert.equal(failure.kind, expected, stderr);
            assert.match(failure.line, line);
            assert.ok(!failure.line.includes("\n"), failure.line);
        }
    });
    it("names the command for the stack at hand: LAB_STACK for any but the default", () => {
        const line = (stack: string) =>
            classifyFailure("error: failed to load checkpoint: EOF", stack).line;
        assert.match(line("tier"), /`LAB_STACK=tier npm run lab -- preview` removes/);
        assert.match(line("dev"), /; `npm run lab -- preview` removes/);
    });
    it("is not fooled by the stdout part", () => {
        const message =
            "code: 255\n stdout: incorrect passphrase in a resource name\n stderr: error: update failed\n err?: \n";
        assert.equal(classifyFailure(message, "dev").kind, "other");
    });
});

describe("explained", () => {
    it("turns a CommandError into its one line and lets other errors through", async () => {
        await assert.rejects(
            explained("dev", () => Promise.reject(commandError("error: incorrect passphrase"))),
            (error: unknown) =>
                error instanceof PulumiCommandFailure &&
                error.failure.kind === "incorrect-passphrase",
        );
        const plain = new Error("plain");
        await assert.rejects(
            explained("dev", () => Promise.reject(plain)),
            (error) => error === plain,
        );
    });
});
