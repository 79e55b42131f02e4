/**
 * The Pulumi CLI's failures in one line each. The Automation API throws a CommandError whose
 * message is `code: N\n stdout: …\n stderr: …\n err?: …` (@pulumi/pulumi 3.270.0
 * automation/cmd.js CommandResult.toString); what the user needs is in the stderr part.
 */
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV } from "./passphrase";
import { PROJECT_NAME, labCommandFor } from "./project";

/** The stderr of a CommandError's message (the whole message when it has no such part). */
export function stderrOf(message: string): string {
    const start = message.lastIndexOf("\n stderr: ");
    if (start < 0) return message;
    const end = message.indexOf("\n err?: ", start);
    return message.slice(start + "\n stderr: ".length, end < 0 ? undefined : end);
}

export type FailureKind =
    | "incorrect-passphrase"
    | "missing-passphrase"
    | "no-stack"
    | "locked"
    | "damaged-state"
    | "no-cli"
    | "other";

export interface PulumiFailure {
    readonly kind: FailureKind;
    /** One line: what failed and what to do. */
    readonly line: string;
}

/** What a failed CLI run means for the lab's stack, from the CLI's own wording (pulumi/pulumi v3.259.0). */
export function classifyFailure(message: string, stack: string): PulumiFailure {
    const stderr = stderrOf(message);
    // pkg/secrets/passphrase/manager.go ErrIncorrectPassphrase
    if (/incorrect passphrase/.test(stderr)) {
        return {
            kind: "incorrect-passphrase",
            line: `the passphrase is not stack ${stack}'s (check ${PASSPHRASE_ENV}, ${PASSPHRASE_FILE_ENV} or what was typed)`,
        };
    }
    // manager.go readPassphrase
    if (/passphrase must be set with|unable to read PULUMI_CONFIG_PASSPHRASE_FILE/.test(stderr)) {
        return {
            kind: "missing-passphrase",
            line: `stack ${stack} needs its passphrase: set ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV} to a readable file`,
        };
    }
    // pkg/backend/backenderr/backenderr.go StackNotFoundError
    const noStack = /no stack named '([^']+)' found/.exec(stderr);
    if (noStack) {
        return {
            kind: "no-stack",
            line: `there is no stack ${noStack[1] ?? stack} yet: \`npm run lab -- up\` creates it`,
        };
    }
    // pkg/backend/diy/lock.go
    if (/the stack is currently locked by/.test(stderr)) {
        return {
            kind: "locked",
            line:
                `stack ${stack} is locked by another update: wait for it to end; if none is running ` +
                `(it was killed), \`npm run lab -- cancel --stack ${stack} --yes\` removes the lock`,
        };
    }
    // pkg/backend/diy/state.go getCheckpoint: the stack's file, or its metadata sidecar
    // (torn-metadata.ts), does not parse. The lab removes torn sidecars before it opens a stack; the
    // diy backend keeps the file it replaced as <stack>.json.bak and a copy per update under
    // .pulumi/backups (state.go backupTarget, backupStack).
    const damaged = /failed to load checkpoint: (.*)/.exec(stderr);
    if (damaged) {
        const file = `.pulumi/stacks/${PROJECT_NAME}/${stack}.json`;
        return {
            kind: "damaged-state",
            line:
                `stack ${stack}'s state file ${file} is damaged (${damaged[1] ?? ""}): nothing was ` +
                `changed; \`${labCommandFor(stack, "preview")}\` removes metadata files a killed ` +
                `update left torn; if that does not do it, copy back ${file}.bak or the newest file in ` +
                `.pulumi/backups/${PROJECT_NAME}/${stack}/ (both in the state folder, .pulumi-state by ` +
                `default), then run the command again`,
        };
    }
    if (/ENOENT/.test(stderr)) {
        return { kind: "no-cli", line: `cannot run the Pulumi CLI: ${firstLine(stderr)}` };
    }
    return { kind: "other", line: errorLineOf(stderr) };
}

const firstLine = (text: string): string =>
    text.split("\n").find((line) => line.trim() !== "") ?? "";

/** The CLI's first `error:` line, else its last line of stderr. */
function errorLineOf(stderr: string): string {
    const lines = stderr
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "");
    const error = lines.find((line) => line.startsWith("error: "));
    return error?.slice("error: ".length) ?? lines.at(-1) ?? "the Pulumi CLI failed";
}

/** A CLI failure the tools report in its one line. */
export class PulumiCommandFailure extends Error {
    override name = "PulumiCommandFailure";
    constructor(readonly failure: PulumiFailure) {
        super(failure.line);
    }
}

/** Runs a CLI call, turning a CommandError into a PulumiCommandFailure with its one line. */
export async function explained<T>(stack: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (error) {
        if (error instanceof Error && /\n stderr: /.test(error.message)) {
            throw new PulumiCommandFailure(classifyFailure(error.message, stack));
        }
        throw error;
    }
}
