/**
 * npm test: the project's checks (format, types, lint, unit tests) side by side rather than one
 * after another, so the unit tests use the core the single-threaded linters leave idle. Each check
 * is an npm script; its output is printed whole when it ends, then one line per check.
 */
import { spawn } from "node:child_process";
import { HELP, helpText, parseCommandLine, type CommandSpec } from "../cli/args";
import { runMain } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";

/**
 * The npm scripts npm test runs, all at once: typecheck-and-lint is typecheck and lint on one
 * program; test:commands (the commands run as a user types them) mostly waits on the processes it
 * starts, so it runs beside the unit tests instead of in their process.
 */
export const CHECKS = ["format:check", "typecheck-and-lint", "test:unit", "test:commands"] as const;

const SPEC: CommandSpec = {
    name: "npm test --",
    summary: `runs ${CHECKS.join(", ")} side by side and fails if any fails`,
    usage: [""],
    options: {},
    exitCodes: [
        [0, "every check passed"],
        [1, "a check failed (its output and the summary name it)"],
        [2, "usage error"],
    ],
    examples: ["npm test", "npm run test:unit   # the unit tests alone, each suite's time"],
    notes: [
        "Each check is the npm script of that name; its output is printed whole when it ends.",
        "format:check keeps its cache under node_modules/.cache; npm run typecheck and npm run lint run one of the two alone.",
    ],
};

export interface Check {
    readonly name: string;
    readonly command: string;
    readonly args: readonly string[];
}

/** A check as `npm run -s <script>`, through the npm that runs us when there is one. */
export function npmScript(script: string, env: NodeJS.ProcessEnv = process.env): Check {
    const npm = env["npm_execpath"];
    return npm === undefined
        ? { name: script, command: "npm", args: ["run", "-s", script] }
        : { name: script, command: process.execPath, args: [npm, "run", "-s", script] };
}

interface Outcome {
    readonly name: string;
    /** The exit code, or why there is none (a signal, a spawn error). */
    readonly result: number | string;
    readonly seconds: number;
}

const verdictOf = (result: number | string): string =>
    result === 0 ? "passed" : `FAILED (${String(result)})`;

function runOne(check: Check, write: (text: string) => void): Promise<Outcome> {
    const started = Date.now();
    return new Promise((resolve) => {
        const output: Buffer[] = [];
        const child = spawn(check.command, [...check.args], {
            cwd: PROJECT_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
        let ended = false;
        // A command that cannot start emits "error" and may still emit "close": report it once.
        const end = (result: number | string) => {
            if (ended) return;
            ended = true;
            const seconds = (Date.now() - started) / 1000;
            write(`\n=== ${check.name}: ${verdictOf(result)} in ${seconds.toFixed(1)} s\n`);
            write(Buffer.concat(output).toString("utf8"));
            resolve({ name: check.name, result, seconds });
        };
        child.on("error", (error) => {
            end(error.message);
        });
        child.on("close", (code, signal) => {
            end(code ?? `signal ${String(signal)}`);
        });
    });
}

/** Runs the checks at once, writes each one's output when it ends, then a summary; 0 if all passed. */
export async function runChecks(
    checks: readonly Check[],
    write: (text: string) => void,
): Promise<number> {
    const outcomes = await Promise.all(checks.map((check) => runOne(check, write)));
    write("\n");
    for (const outcome of outcomes) {
        write(`${outcome.name}: ${verdictOf(outcome.result)} in ${outcome.seconds.toFixed(1)} s\n`);
    }
    return outcomes.every((outcome) => outcome.result === 0) ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
    if (parseCommandLine(SPEC, argv) === HELP) {
        process.stdout.write(helpText(SPEC));
        return 0;
    }
    return runChecks(
        CHECKS.map((script) => npmScript(script)),
        (text) => process.stdout.write(text),
    );
}

if (require.main === module)
    runMain(
        "check",
        () => main(process.argv.slice(2)),
        () => 1,
    );
