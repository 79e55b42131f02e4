/**
 * The configuration `npm run lab -- plan` runs the program on: the stack's settings file
 * (Pulumi.<stack>.yaml) with the --set values and --kubeconfig over it, merged with Pulumi.yaml as
 * the CLI merges them (core/project-config.ts). No CLI runs, so no secret is decrypted: an encrypted
 * kubeconfig stands in as a simulated one, any other encrypted value shows as [secret].
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readOptionFile, UsageError } from "../../cli/args";
import {
    cliConfig,
    nearestKey,
    projectConfig,
    type StackValue,
} from "../../../core/project-config";

/** Where a setting came from, for the plan's first lines. */
export type SettingSource = "stack" | "--set" | "--kubeconfig" | "default";

export interface PlanSettings {
    /** Keys without the project prefix, values as the program receives them (strings). */
    readonly config: Readonly<Record<string, string>>;
    readonly sources: Readonly<Record<string, SettingSource>>;
    /** Keys the program receives as secrets (`pulumi config set --secret`), without the prefix. */
    readonly secretKeys: readonly string[];
    /** What the plan stands in for because it decrypts nothing, one sentence each. */
    readonly simulated: readonly string[];
    /** Whether the stack has a settings file yet. */
    readonly stackFile: boolean;
}

const namespace = `${projectConfig().name}:`;

/** The key that holds a kubeconfig, which the plan takes from a file, never from the command line. */
export const KUBECONFIG_KEY = "existingKubeconfig";

/** The host of the kubeconfig that stands in for an encrypted one, and what the plan shows instead. */
export const SIMULATED_KUBECONFIG_HOST = "kubeconfig-server.simulated.invalid";
export const SIMULATED_KUBECONFIG_HOST_SHOWN = "<server of the encrypted kubeconfig>";

/** A kubeconfig whose current context names a cluster at the placeholder host, and no credential. */
const SIMULATED_KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: simulated",
    "contexts: [{ name: simulated, context: { cluster: simulated, user: simulated } }]",
    `clusters: [{ name: simulated, cluster: { server: "https://${SIMULATED_KUBECONFIG_HOST}" } }]`,
    "users: [{ name: simulated, user: {} }]",
].join("\n");

/** What a stack file's encrypted value shows as. */
export const ENCRYPTED = "[secret]";

/** The project-namespace values of a Pulumi.<stack>.yaml text (keys without the prefix); encrypted ones as [secret]. */
export function stackFileValues(text: string): Record<string, StackValue> {
    const file = (parse(text) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, StackValue> = {};
    for (const [key, value] of Object.entries(file.config ?? {})) {
        if (!key.startsWith(namespace)) continue;
        const secure =
            typeof value === "object" && value !== null && "secure" in value
                ? ENCRYPTED
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
    const declared = projectConfig().config;
    if (declared[key] === undefined) {
        const nearest = nearestKey(key, Object.keys(declared));
        throw new UsageError(
            `--set ${key}=…: ${key} is not a setting of this lab` +
                (nearest === undefined ? "" : `; did you mean --set ${nearest}=${value}?`),
        );
    }
    if (key === KUBECONFIG_KEY)
        throw new UsageError(
            `--set ${KUBECONFIG_KEY} would put the cluster's credentials on the command line: give the file with --kubeconfig FILE`,
        );
    if (declared[key].type !== "array") return [key, value];
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

/**
 * The stack's settings with --set and --kubeconfig over them, as the CLI would hand them to the
 * program. `--kubeconfig FILE` is what `config set cluster existing` and
 * `config set --secret existingKubeconfig < FILE` would store.
 */
export function planSettings(
    projectDir: string,
    stack: string,
    sets: readonly string[],
    kubeconfigFile?: string,
): PlanSettings | { readonly error: string } {
    const file = join(projectDir, `Pulumi.${stack}.yaml`);
    const stackFile = existsSync(file);
    const fromFile = stackFile ? stackFileValues(readFileSync(file, "utf8")) : {};
    const fromSets = Object.fromEntries(sets.map(parseSet));
    const fromKubeconfig: Record<string, string> =
        kubeconfigFile === undefined
            ? {}
            : {
                  [KUBECONFIG_KEY]: readOptionFile("kubeconfig", kubeconfigFile),
                  ...("cluster" in fromSets ? {} : { cluster: "existing" }),
              };
    const encrypted = Object.keys(fromFile).filter(
        (key) => fromFile[key] === ENCRYPTED && !(key in fromSets) && !(key in fromKubeconfig),
    );
    const standIn: Record<string, string> = encrypted.includes(KUBECONFIG_KEY)
        ? { [KUBECONFIG_KEY]: SIMULATED_KUBECONFIG }
        : {};
    const merged = cliConfig(stack, { ...fromFile, ...standIn, ...fromSets, ...fromKubeconfig });
    if ("error" in merged) return merged;
    const sources = Object.fromEntries(
        Object.keys(merged.config).map((key): [string, SettingSource] => [
            key,
            key in fromKubeconfig
                ? "--kubeconfig"
                : key in fromSets
                  ? "--set"
                  : key in fromFile
                    ? "stack"
                    : "default",
        ]),
    );
    const simulated = encrypted.map((key) =>
        key === KUBECONFIG_KEY
            ? `${KUBECONFIG_KEY} is encrypted in Pulumi.${stack}.yaml, and plan decrypts no secret offline: ` +
              `the cluster is a simulated one at ${SIMULATED_KUBECONFIG_HOST_SHOWN} (port 443 stands in for its own); ` +
              `\`npm run -s lab -- plan --kubeconfig FILE\` plans on the file's cluster`
            : `${key} is encrypted in Pulumi.${stack}.yaml, and plan decrypts no secret offline: the program sees ${ENCRYPTED}`,
    );
    return {
        config: merged.config,
        sources,
        secretKeys: [...encrypted, ...(KUBECONFIG_KEY in fromKubeconfig ? [KUBECONFIG_KEY] : [])],
        simulated,
        stackFile,
    };
}
