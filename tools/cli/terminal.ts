/**
 * The user's terminal, and whether the Pulumi CLI can ask on it: apart from automation.ts so that a
 * command can decide before it loads the Automation API.
 */
import { readHidden } from "./passphrase";
import type { Terminal } from "./pulumi-stack";

/**
 * Whether the CLI will ask before changing anything: its cmdutil.Interactive, stdin and stdout a
 * terminal, TERM not dumb, and no CI (pulumi/pulumi sdk/go/common/util/cmdutil/console.go @v3.276.0;
 * of ciutil's CI detectors, the common `CI` variable).
 */
export function cliCanAsk(env: NodeJS.ProcessEnv = process.env): boolean {
    return (
        process.stdin.isTTY &&
        process.stdout.isTTY &&
        env["TERM"]?.toLowerCase() !== "dumb" &&
        (env["CI"] ?? "") === ""
    );
}

/** The user's terminal: asks only when both stdin and stderr are one. */
export function systemTerminal(): Terminal {
    const interactive = process.stdin.isTTY && process.stderr.isTTY;
    return {
        env: process.env,
        interactive,
        ask: (question) => readHidden(question, process.stdin, process.stderr),
    };
}
