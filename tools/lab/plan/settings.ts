/**
 * The configuration `npm run lab -- plan` runs the program on: the stack's settings file
 * (Pulumi.<stack>.yaml) with the --set values over it, merged with Pulumi.yaml as the CLI merges
 * them (core/project-config.ts). No CLI runs: a secret value stays encrypted and shows as [secret].
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { UsageError } from "../../cli/args";
import { cliConfig, projectConfig, type StackValue } from "../../../core/project-config";

/** Where a setting came from, for the plan's first lines. */
export type SettingSource = "stack" | "--set" | "default";

export interface PlanSettings {
    /** Keys without the project prefix, values as the program receives them (strings). */
    readonly config: Readonly<Record<string, string>>;
    readonly sources: Readonly<Record<string, SettingSource>>;
    /** Whether the stack has a settings file yet. */
    readonly stackFile: boolean;
}

const namespace = `${projectConfig().name}:`;

/** The project-namespace values of a Pulumi.<stack>.yaml text (keys without the prefix). */
export function stackFileValues(text: string): Record<string, StackValue> {
    const file = (parse(text) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, StackValue> = {};
    for (const [key, value] of Object.entries(file.config ?? {})) {
        if (!key.startsWith(namespace)) continue;
        const secure =
            typeof value === "object" && value !== null && "secure" in value
                ? "[secret]"
                : undefined;
        values[key.slice(namespace.length)] =
            secure ??
            (Array.isArray(value)
                ? value
                : typeof value === "string"
                  ? value
                  : JSON.stringify(value));
    }
    return values;
}

/** One `--set KEY=VALUE`: the project's key (prefix optional) and its value; a list key takes JSON. */
export function parseSet(raw: string): [string, StackValue] {
    const at = raw.indexOf("=");
    const key = at > 0 ? raw.slice(0, at).replace(namespace, "") : "";
    if (key === "" || key.includes(":"))
        throw new UsageError(
            `--set takes KEY=VALUE with a key of this lab, like --set dataplane=bpf, not "${raw}"`,
        );
    const value = raw.slice(at + 1);
    if (projectConfig().config[key]?.type !== "array") return [key, value];
    try {
        const list: unknown = JSON.parse(value);
        if (Array.isArray(list)) return [key, list];
    } catch {
        // refused below
    }
    throw new UsageError(
        `--set ${key} takes a JSON list, like --set '${key}=["203.0.113.0/24"]', not "${value}"`,
    );
}

/** The stack's settings with the --set values over them, as the CLI would hand them to the program. */
export function planSettings(
    projectDir: string,
    stack: string,
    sets: readonly string[],
): PlanSettings | { readonly error: string } {
    const file = join(projectDir, `Pulumi.${stack}.yaml`);
    const stackFile = existsSync(file);
    const fromFile = stackFile ? stackFileValues(readFileSync(file, "utf8")) : {};
    const fromSets = Object.fromEntries(sets.map(parseSet));
    const merged = cliConfig(stack, { ...fromFile, ...fromSets });
    if ("error" in merged) return merged;
    const sources = Object.fromEntries(
        Object.keys(merged.config).map((key): [string, SettingSource] => [
            key,
            key in fromSets ? "--set" : key in fromFile ? "stack" : "default",
        ]),
    );
    return { config: merged.config, sources, stackFile };
}
