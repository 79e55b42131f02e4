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

/** The line a failure prints; a usage error names the help command as the user types it. */
export function errorLine(name: string, error: unknown, helpCommand: string): string {
    const hint = error instanceof UsageError ? ` (see \`${helpCommand}\`)` : "";
    return `${name}: ${describeError(error)}${hint}\n`;
}

/** `npm run <name> -- --help`: how a user asks one of the project's npm scripts for help. */
export const npmHelp = (name: string): string => `npm run ${name} -- --help`;

export function runMain(
    name: string,
    main: () => Promise<number>,
    exitCodeOf: (error: unknown) => number,
    helpCommand: string = npmHelp(name),
): void {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(errorLine(name, error, helpCommand));
            process.exit(exitCodeFor(error, exitCodeOf));
        },
    );
}
