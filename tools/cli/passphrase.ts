/**
 * The stack's passphrase. The Automation API always runs the CLI with --non-interactive
 * (@pulumi/pulumi 3.270.0 automation/cmd.js run), so the CLI cannot ask for it itself: it comes
 * from the environment, or the tools ask on the terminal without echoing it and hand it to the CLI
 * in its environment, never in argv, a log or a file.
 */

export const PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE";
export const PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE";

export class PassphraseError extends Error {
    override name = "PassphraseError";
}

/** Ctrl-C at a prompt or during an operation; the message says what is left to do. */
export class InterruptedError extends Error {
    override name = "InterruptedError";
    constructor(message = "interrupted") {
        super(message);
    }
}

export type PassphraseSource = "environment" | "prompt";

/**
 * Where the passphrase comes from. The CLI takes PULUMI_CONFIG_PASSPHRASE when it is set, even
 * empty, else a non-empty PULUMI_CONFIG_PASSPHRASE_FILE (pulumi/pulumi v3.259.0
 * pkg/secrets/passphrase/manager.go readPassphrase); the child inherits both.
 */
export function passphraseSource(env: NodeJS.ProcessEnv, interactive: boolean): PassphraseSource {
    if (env[PASSPHRASE_ENV] !== undefined) return "environment";
    if ((env[PASSPHRASE_FILE_ENV] ?? "") !== "") return "environment";
    if (interactive) return "prompt";
    throw new PassphraseError(
        `the stack's passphrase is needed: set ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV} (there is no terminal to ask on)`,
    );
}

/** A terminal input as the prompt needs it: process.stdin, or a fake in tests. */
export interface HiddenInput {
    setRawMode(raw: boolean): unknown;
    setEncoding(encoding: BufferEncoding): unknown;
    resume(): unknown;
    pause(): unknown;
    on(event: "data", listener: (chunk: string) => void): unknown;
    off(event: "data", listener: (chunk: string) => void): unknown;
}

/** Reads a line from the terminal in raw mode, echoing nothing; Ctrl-C rejects with InterruptedError. */
export function readHidden(
    question: string,
    input: HiddenInput,
    output: { write(text: string): unknown },
): Promise<string> {
    return new Promise((resolve, reject) => {
        let typed: string[] = [];
        const finish = (error?: Error) => {
            input.off("data", onData);
            input.setRawMode(false);
            input.pause();
            output.write("\n");
            if (error) reject(error);
            else resolve(typed.join(""));
        };
        const onData = (chunk: string) => {
            for (const char of chunk) {
                if (char === "\r" || char === "\n" || char === "\u0004") {
                    finish();
                    return;
                }
                if (char === "\u0003") {
                    finish(new InterruptedError());
                    return;
                }
                if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
                else typed.push(char);
            }
        };
        output.write(question);
        input.setEncoding("utf8");
        input.setRawMode(true);
        input.on("data", onData);
        input.resume();
    });
}

/**
 * The passphrase to put into the CLI's environment, or undefined when the environment already has
 * one. A new stack's passphrase is asked twice: a typo there would lock the stack's secrets away.
 */
export async function askPassphrase(
    stack: string,
    isNew: boolean,
    terminal: {
        readonly env: NodeJS.ProcessEnv;
        readonly interactive: boolean;
        readonly ask: (question: string) => Promise<string>;
    },
): Promise<string | undefined> {
    if (passphraseSource(terminal.env, terminal.interactive) === "environment") return undefined;
    if (!isNew) return terminal.ask(`passphrase of stack ${stack}: `);
    const first = await terminal.ask(`new passphrase for stack ${stack} (protects its secrets): `);
    const again = await terminal.ask("the same passphrase again: ");
    if (first !== again)
        throw new PassphraseError("the two passphrases differ; nothing was created");
    return first;
}
