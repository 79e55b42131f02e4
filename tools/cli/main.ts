/**
 * How the lab's commands end: an exit code from `main`, or one line on stderr naming what failed.
 * A usage error exits 2 and points at --help; the rest map through `exitCodeOf`.
 */
import { UsageError } from "./args";
import { describeError } from "./errors";

const USAGE_EXIT_CODE = 2;

export function exitCodeFor(error: unknown, exitCodeOf: (error: unknown) => number): number {
    return error instanceof UsageError ? USAGE_EXIT_CODE : exitCodeOf(error);
}

/** The line a failure prints (a message of several lines joined); a usage error names the help command as the user types it. */
export function errorLine(name: string, error: unknown, helpCommand: string): string {
    const hint = error instanceof UsageError ? ` (see \`${helpCommand}\`)` : "";
    const message = describeError(error)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .join(" ");
    return `${name}: ${message}${hint}\n`;
}

/** `npm run <name> -- --help`: how a user asks one of the project's npm scripts for help. */
export const npmHelp = (name: string): string => `npm run ${name} -- --help`;

/**
 * Runs a tool's `main` and exits with its code. Whatever fails, also outside `main`'s own promise (a
 * rejection nobody awaited, an exception in a callback: Node would print its stack trace and exit
 * 1), ends in one line and the tool's exit code.
 */
export function runMain(
    name: string,
    main: () => Promise<number>,
    exitCodeOf: (error: unknown) => number,
    helpCommand: string = npmHelp(name),
): void {
    const fail = (error: unknown) => {
        process.stderr.write(errorLine(name, error, helpCommand));
        process.exit(exitCodeFor(error, exitCodeOf));
    };
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    main().then((code) => process.exit(code), fail);
}
