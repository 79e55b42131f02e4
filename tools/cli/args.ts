/**
 * Command lines of the tools a user types: one declaration per command gives its parsing, its
 * `--help` text and its usage errors (exit 2), so the three never disagree.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { positiveInteger } from "../../core/parse";

/** A command line the tool cannot act on; the tool exits 2 and says what to fix. */
export class UsageError extends Error {
    override name = "UsageError";
}

export interface OptionSpec {
    readonly type: "string" | "boolean";
    /** What the value is, in the help text: `--timeout-seconds N`. */
    readonly value?: string;
    /** The default, as the help text shows it and the parser returns it. */
    readonly default?: string;
    /** A string option that may be given more than once; its value is then a list. */
    readonly multiple?: boolean;
    readonly description: string;
}

export interface CommandSpec {
    /** What the user types: `npm run verify --`. */
    readonly name: string;
    readonly summary: string;
    /** Usage lines after the name, e.g. `[--json] [--stack NAME]`. */
    readonly usage: readonly string[];
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** Positional arguments the command takes, by name (none by default). */
    readonly positionals?: readonly string[];
    readonly exitCodes: readonly (readonly [number, string])[];
    readonly examples: readonly string[];
    /** Anything else the help should say (environment variables, files written). */
    readonly notes?: readonly string[];
}

export interface CommandLine {
    /** Options by name: strings (lists for `multiple`), `true` for boolean flags given; absent when not given and no default. */
    readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
    readonly positionals: readonly string[];
}

/** `--help` or `-h` anywhere on the line. */
export const HELP = Symbol("help");

/** Parses argv by the spec; HELP when help was asked for; UsageError for anything malformed. */
export function parseCommandLine(
    spec: CommandSpec,
    argv: readonly string[],
): CommandLine | typeof HELP {
    if (argv.some((arg) => arg === "--help" || arg === "-h")) return HELP;
    const options = Object.fromEntries(
        Object.entries(spec.options).map(([name, option]) => [
            name,
            option.type === "boolean"
                ? { type: "boolean" as const }
                : {
                      type: "string" as const,
                      ...(option.multiple === true ? { multiple: true } : {}),
                      ...(option.default === undefined ? {} : { default: option.default }),
                  },
        ]),
    );
    // node:util calls `--repeat -5` ambiguous, in three lines; a negative number is the option's
    // value (`--repeat=-5`), which the option's own check then refuses in one.
    const args: string[] = [];
    for (const arg of argv) {
        const option = /^--(.+)$/.exec(args.at(-1) ?? "")?.[1];
        if (option !== undefined && spec.options[option]?.type === "string" && /^-\d/.test(arg))
            args.push(`${String(args.pop())}=${arg}`);
        else args.push(arg);
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
        parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (error) {
        // node:util's messages name the option; their first line is the one that matters.
        const message = error instanceof Error ? error.message : String(error);
        const line = message.split("\n")[0] ?? message;
        const ambiguous = /^Option '(--[^' ]+)[^']*' argument is ambiguous/.exec(line)?.[1];
        throw new UsageError(
            ambiguous === undefined
                ? (line.split(". To specify")[0] ?? line)
                : `${ambiguous} needs a value (one starting with "-" is written ${ambiguous}=VALUE)`,
        );
    }
    const allowed = spec.positionals ?? [];
    if (parsed.positionals.length > allowed.length) {
        const extra = parsed.positionals.slice(allowed.length).join(" ");
        throw new UsageError(`unexpected argument(s): ${extra}`);
    }
    return {
        values: { ...(parsed.values as CommandLine["values"]) },
        positionals: parsed.positionals,
    };
}

/** The `--help` text: usage, every option with its default, exit codes, examples. */
export function helpText(spec: CommandSpec): string {
    const optionLines = Object.entries(spec.options).map(([name, option]) => {
        const flag = `--${name}${option.value === undefined ? "" : ` ${option.value}`}`;
        const fallback = option.default === undefined ? "" : ` (default: ${option.default})`;
        return `  ${flag.padEnd(28)} ${option.description}${fallback}`;
    });
    return [
        `${spec.name}: ${spec.summary}`,
        "",
        "Usage:",
        ...spec.usage.map((line) => `  ${spec.name} ${line}`),
        "",
        "Options:",
        ...optionLines,
        `  ${"--help, -h".padEnd(28)} show this help and exit`,
        ...(spec.notes === undefined ? [] : ["", ...spec.notes]),
        "",
        "Exit status:",
        ...spec.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`),
        "",
        "Examples:",
        ...spec.examples.map((example) => `  ${example}`),
        "",
    ].join("\n");
}

/** The string value of an option that has a default or is checked by the caller. */
export function stringOption(line: CommandLine, name: string): string | undefined {
    const value = line.values[name];
    return typeof value === "string" ? value : undefined;
}

export function flag(line: CommandLine, name: string): boolean {
    return line.values[name] === true;
}

/** The text of a file named by an option; a usage error naming the option and the path otherwise. */
export function readOptionFile(option: string, path: string): string {
    try {
        return readFileSync(path, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why =
            code === "ENOENT"
                ? "no such file"
                : code === "EISDIR"
                  ? "a directory"
                  : (code ?? "unreadable");
        throw new UsageError(`--${option} ${path}: ${why}`);
    }
}

/** An option's whole number from 1 (to `max`, when given); a usage error naming the option otherwise. */
export function positiveIntegerOption(name: string, raw: string, max?: number): number {
    const value = positiveInteger(raw, max);
    if (value === undefined) {
        const allowed =
            max !== undefined
                ? `an integer from 1 to ${max}`
                : positiveInteger(raw) === undefined && /^[1-9][0-9]*$/.test(raw)
                  ? `at most ${Number.MAX_SAFE_INTEGER}`
                  : "a positive integer";
        throw new UsageError(`--${name} must be ${allowed}, not "${raw}"`);
    }
    return value;
}
