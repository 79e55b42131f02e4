/**
 * Pulumi.yaml's declared configuration, and what the Pulumi CLI does to a stack's configuration
 * before the program runs, so that the program knows its declared keys and the tests and
 * `npm run lab -- plan` run it on what a user's `pulumi up` hands it (pulumi/pulumi pkg/workspace/config.go
 * ValidateStackConfigAndApplyProjectConfig and sdk/go/common/workspace/project.go ValidateConfigValue
 * @v3.259.0): Pulumi.yaml's defaults are merged into the stack's config, a declared key with no
 * default and no value is missing, typed keys are checked, and every value reaches the program as a
 * string (lists as JSON text).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** The Pulumi project's folder: one level above core/. */
const PROJECT_DIR = join(__dirname, "..");

/** A stack's value for a key: text (`pulumi config set`), or a list (`pulumi config set --path 'k[0]'`). */
export type StackValue = string | readonly unknown[];

export interface DeclaredKey {
    readonly type?: "string" | "integer" | "boolean" | "array";
    readonly items?: { readonly type: string };
    readonly default?: unknown;
}

/** Pulumi.yaml's name and declared config keys. */
export function projectConfig(): { name: string; config: Record<string, DeclaredKey> } {
    return parse(readFileSync(join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<string, DeclaredKey>;
    };
}

const typeName = (declared: DeclaredKey) =>
    declared.type === "array" ? `array<${declared.items?.type ?? "?"}>` : (declared.type ?? "");

/** Whether the CLI accepts the value for the declared type; Go's strconv.Atoi for integers. */
function typeChecks(declared: DeclaredKey, value: StackValue): boolean {
    switch (declared.type) {
        case undefined:
            return true;
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "string" && /^[+-]?[0-9]+$/.test(value);
        case "boolean":
            return value === "true" || value === "false";
        case "array":
            return (
                Array.isArray(value) && value.every((item) => typeof item === declared.items?.type)
            );
    }
}

const asText = (value: unknown): string =>
    typeof value === "string" ? value : JSON.stringify(value);

/** The key Pulumi.yaml declares that is nearest to `key` (fewest edits, case ignored). */
export function nearestKey(key: string, declared: readonly string[]): string | undefined {
    const distance = (a: string, b: string): number => {
        let row = Array.from({ length: b.length + 1 }, (_, i) => i);
        for (let i = 1; i <= a.length; i++) {
            const next = [i];
            for (let j = 1; j <= b.length; j++)
                next[j] = Math.min(
                    (row[j] ?? 0) + 1,
                    (next[j - 1] ?? 0) + 1,
                    (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
                );
            row = next;
        }
        return row[b.length] ?? 0;
    };
    const lower = key.toLowerCase();
    return [...declared].sort(
        (a, b) => distance(lower, a.toLowerCase()) - distance(lower, b.toLowerCase()),
    )[0];
}

/**
 * The program's configuration (keys without the project prefix, values as strings), or the error
 * the CLI stops with before the program runs.
 */
export function cliConfig(
    stack: string,
    values: Readonly<Record<string, StackValue>>,
): { readonly config: Record<string, string> } | { readonly error: string } {
    const project = projectConfig();
    const config: Record<string, string> = {};
    const missing: string[] = [];
    for (const [key, declared] of Object.entries(project.config).sort(([a], [b]) =>
        a.localeCompare(b),
    )) {
        const value = values[key];
        if (value !== undefined) {
            if (!typeChecks(declared, value)) {
                return {
                    error: `validating stack config: Stack '${stack}' with configuration key '${key}' must be of type '${typeName(declared)}'`,
                };
            }
            config[key] = asText(value);
        } else if (declared.default !== undefined) {
            config[key] = asText(declared.default);
        } else {
            missing.push(`'${key}'`);
        }
    }
    if (missing.length > 0) {
        const list =
            missing.length === 1
                ? missing[0]
                : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1) ?? ""}`;
        return {
            error: `validating stack config: Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list ?? ""}`,
        };
    }
    for (const [key, value] of Object.entries(values)) config[key] ??= asText(value);
    return { config };
}
