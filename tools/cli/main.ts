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

export function errorLine(name: string, error: unknown): string {
    const hint = error instanceof UsageError ? ` (see ${name} --help)` : "";
    return `${name}: ${describeError(error)}${hint}\n`;
}

export function runMain(
    name: string,
    main: () => Promise<number>,
    exitCodeOf: (error: unknown) => number,
): void {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(errorLine(name, error));
            process.exit(exitCodeFor(error, exitCodeOf));
        },
    );
}
