import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    HELP,
    helpText,
    parseCommandLine,
    positiveIntegerOption,
    readOptionFile,
    UsageError,
    type CommandSpec,
} from "../../../tools/cli/args";
import { errorLine, exitCodeFor } from "../../../tools/cli/main";

const SPEC: CommandSpec = {
    name: "npm run demo --",
    summary: "does a demo",
    usage: ["[--count N] [--loud] TARGET"],
    options: {
        count: { type: "string", value: "N", default: "3", description: "how many" },
        loud: { type: "boolean", description: "shout" },
    },
    positionals: ["TARGET"],
    exitCodes: [
        [0, "done"],
        [2, "bad arguments"],
    ],
    examples: ["npm run demo -- --count 5 here"],
};

describe("parseCommandLine", () => {
    it("returns values with defaults and positionals", () => {
        assert.deepEqual(parseCommandLine(SPEC, ["there", "--loud"]), {
            values: { count: "3", loud: true },
            positionals: ["there"],
        });
    });
    it("answers help wherever --help or -h stands", () => {
        assert.equal(parseCommandLine(SPEC, ["--count", "x", "--help"]), HELP);
        assert.equal(parseCommandLine(SPEC, ["-h"]), HELP);
    });
    it("turns unknown options, missing values and extra arguments into usage errors", () => {
        for (const argv of [["--nope"], ["--count"], ["a", "b"], ["--loud=yes"]]) {
            assert.throws(
                () => parseCommandLine(SPEC, argv),
                (error: unknown) =>
                    error instanceof UsageError && !error.message.includes("To specify"),
                argv.join(" "),
            );
        }
    });
});

describe("helpText", () => {
    it("lists usage, every option with its default, exit codes and examples", () => {
        const text = helpText(SPEC);
        assert.match(text, /^npm run demo --: does a demo/);
        assert.match(text, /npm run demo -- \[--count N\] \[--loud\] TARGET/);
        assert.match(text, /--count N +how many \(default: 3\)/);
        assert.match(text, /--loud +shout\n/);
        assert.match(text, /--help, -h/);
        assert.match(text, /2 {2}bad arguments/);
        assert.match(text, /npm run demo -- --count 5 here/);
    });
});

describe("exit codes and error lines", () => {
    it("exits 2 on usage errors and points at --help; other errors map as the tool says", () => {
        assert.equal(
            exitCodeFor(new UsageError("bad"), () => 1),
            2,
        );
        assert.equal(
            exitCodeFor(new Error("broken"), () => 1),
            1,
        );
        assert.equal(
            errorLine("verify", new UsageError("bad"), "npm run verify -- --help"),
            "verify: bad (see `npm run verify -- --help`)\n",
        );
        assert.equal(
            errorLine("verify", new Error("broken"), "npm run verify -- --help"),
            "verify: broken\n",
        );
        assert.equal(
            errorLine("lab", new Error("first\n  second\n\n"), "npm run lab -- --help"),
            "lab: first second\n",
        );
    });
});

describe("readOptionFile", () => {
    it("names the option and the path when the file cannot be read", () => {
        assert.throws(
            () => readOptionFile("kubeconfig", "/no/such/kubeconfig"),
            (error: unknown) =>
                error instanceof UsageError &&
                error.message === "--kubeconfig /no/such/kubeconfig: no such file",
        );
        assert.throws(() => readOptionFile("kubeconfig", "/"), /--kubeconfig \/: a directory/);
        assert.match(readOptionFile("results", __filename), /readOptionFile/);
    });
});

describe("positiveIntegerOption", () => {
    it("takes a whole number from 1, up to a bound when there is one, and names the option otherwise", () => {
        assert.equal(positiveIntegerOption("repeat", "3"), 3);
        assert.equal(positiveIntegerOption("duration", "600", 600), 600);
        assert.throws(
            () => positiveIntegerOption("timeout-seconds", "-5"),
            (error: unknown) =>
                error instanceof UsageError &&
                error.message === '--timeout-seconds must be a positive integer, not "-5"',
        );
        assert.throws(
            () => positiveIntegerOption("duration", "601", 600),
            /^UsageError: --duration must be an integer from 1 to 600, not "601"$/,
        );
        // A positive integer too large to count is not called "not a positive integer".
        assert.throws(
            () => positiveIntegerOption("timeout-seconds", "999999999999999999999"),
            /^UsageError: --timeout-seconds must be at most 9007199254740991, not "999999999999999999999"$/,
        );
    });
    it('judges " 3" and "03" alike: plain digits only', () => {
        for (const raw of [" 3", "03", "3 ", "+3", "3.0"])
            assert.throws(() => positiveIntegerOption("repeat", raw), /a positive integer/, raw);
    });
});
