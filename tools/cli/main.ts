/** How the lab's commands end: an exit code from `main`, or a one-line error on stderr. */
import { describeError } from "./errors";

export function runMain(
    name: string,
    main: () => Promise<number>,
    exitCodeOf: (error: unknown) => number,
): void {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`${name}: ${describeError(error)}\n`);
            process.exit(exitCodeOf(error));
        },
    );
}
