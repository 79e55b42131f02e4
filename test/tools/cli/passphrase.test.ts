import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import {
    askPassphrase,
    InterruptedError,
    passphraseSource,
    PassphraseError,
    readHidden,
    type HiddenInput,
} from "../../../tools/cli/passphrase";

describe("passphraseSource", () => {
    it("takes the environment first, even an empty passphrase, as the CLI does", () => {
        assert.equal(passphraseSource({ PULUMI_CONFIG_PASSPHRASE: "" }, false), "environment");
        assert.equal(
            passphraseSource({ PULUMI_CONFIG_PASSPHRASE_FILE: "/p" }, false),
            "environment",
        );
        assert.equal(passphraseSource({ PULUMI_CONFIG_PASSPHRASE_FILE: "" }, true), "prompt");
    });
    it("fails in one line without a terminal to ask on", () => {
        assert.throws(
            () => passphraseSource({}, false),
            (error: Error) =>
                error instanceof PassphraseError &&
                !error.message.includes("\n") &&
                /PULUMI_CONFIG_PASSPHRASE_FILE/.test(error.message),
        );
    });
});

class FakeTerminal extends EventEmitter implements HiddenInput {
    raw: boolean[] = [];
    setRawMode(raw: boolean) {
        this.raw.push(raw);
    }
    setEncoding() {}
    resume() {}
    pause() {}
    override on(event: "data", listener: (chunk: string) => void): this {
        return super.on(event, listener);
    }
    override off(event: "data", listener: (chunk: string) => void): this {
        return super.off(event, listener);
    }
}

describe("readHidden", () => {
    it("reads a line in raw mode, handles backspace and echoes nothing typed", async () => {
        const input = new FakeTerminal();
        const written: string[] = [];
        const read = readHidden("passphrase: ", input, {
            write: (text: string) => written.push(text),
        });
        input.emit("data", "se");
        input.emit("data", "x\u007fcret\r");
        assert.equal(await read, "secret");
        assert.deepEqual(written, ["passphrase: ", "\n"]);
        assert.deepEqual(input.raw, [true, false]);
        assert.equal(input.listenerCount("data"), 0);
    });
    it("turns Ctrl-C into InterruptedError and leaves raw mode", async () => {
        const input = new FakeTerminal();
        const read = readHidden("p: ", input, { write: () => undefined });
        input.emit("data", "ab\u0003");
        await assert.rejects(read, InterruptedError);
        assert.deepEqual(input.raw, [true, false]);
    });
});

describe("askPassphrase", () => {
    const terminal = (answers: string[]) => {
        const questions: string[] = [];
        return {
            questions,
            env: {},
            interactive: true,
            ask: (question: string) => {
                questions.push(question);
                return Promise.resolve(answers.shift() ?? "");
            },
        };
    };
    it("asks nothing when the environment has it", async () => {
        const t = { ...terminal([]), env: { PULUMI_CONFIG_PASSPHRASE: "p" } };
        assert.equal(await askPassphrase("dev", true, t), undefined);
    });
    it("asks once for an existing stack, twice for a new one", async () => {
        const existing = terminal(["a"]);
        assert.equal(await askPassphrase("dev", false, existing), "a");
        assert.equal(existing.questions.length, 1);
        const fresh = terminal(["b", "b"]);
        assert.equal(await askPassphrase("dev", true, fresh), "b");
        assert.equal(fresh.questions.length, 2);
    });
    it("refuses two different passphrases for a new stack", async () => {
        await assert.rejects(
            askPassphrase("dev", true, terminal(["b", "c"])),
            /differ; nothing was created/,
        );
    });
});
