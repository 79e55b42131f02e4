/**
 * The text of `npm run lab -- plan`: what it ran on, then each resource in the order the program
 * sends it (with the exact patch or step command where it has one), then the warnings and errors a
 * preview would show. Pure.
 */
import { isAksCalicoLine } from "../../../core/felix-schema";
import {
    ENCRYPTED,
    SIMULATED_KUBECONFIG_HOST,
    SIMULATED_KUBECONFIG_HOST_SHOWN,
    type SettingSource,
} from "./settings";
import type { PlannedResource, SimulatedRun } from "./simulate";
import { APPLY_TIME_SHOWN, SIMULATED_APPLY_TIME } from "./simulate";

export interface PlanHeader {
    readonly stack: string;
    readonly calicoVersion: string;
    /** The healthz field that Calico line has, or undefined. */
    readonly healthzField: string | undefined;
    readonly stackFile: boolean;
    readonly config: Readonly<Record<string, string>>;
    readonly sources: Readonly<Record<string, SettingSource>>;
    /** Keys whose values are secrets: shown as [secret], never in clear. */
    readonly secretKeys: readonly string[];
    /** What else the plan stands in for, one sentence each. */
    readonly simulated: readonly string[];
}

/** What a Command runs: a step's `create`, the destroy guard's `delete`. */
function commandLines(inputs: Readonly<Record<string, unknown>>): string[] {
    const { create, delete: onDelete } = inputs;
    return [
        ...(typeof create === "string" ? [`runs: ${create}`] : []),
        ...(typeof onDelete === "string" ? [`runs when deleted: ${onDelete}`] : []),
    ];
}

function details(resource: PlannedResource): string[] {
    if (resource.readId !== undefined) return [`reads ${resource.readId}`];
    const commands = commandLines(resource.inputs);
    if (commands.length > 0) return commands;
    if (resource.type.startsWith("kubernetes:") && resource.type.endsWith("Patch"))
        return [`patch (server-side apply): ${JSON.stringify(resource.inputs)}`];
    return [];
}

const kindOf = (resource: PlannedResource): string =>
    resource.readId !== undefined ? "read " : resource.component ? "component " : "";

/** Which Calico the simulated cluster runs, and whether any AKS line ships it. */
export function calicoLine(version: string): string {
    return isAksCalicoLine(version)
        ? `AKS-managed Calico ${version}`
        : `Calico ${version}, a release no AKS line is known to ship (see docs/aks-and-calico-lines.md),`;
}

export function renderPlan(header: PlanHeader, run: SimulatedRun): string {
    const shown = (key: string, value: string) =>
        header.secretKeys.includes(key) ? ENCRYPTED : value === "" ? '""' : value;
    const settings = Object.entries(header.config).map(
        ([key, value]) => `  ${key} = ${shown(key, value)}  (${header.sources[key] ?? "default"})`,
    );
    const resources = run.resources.flatMap((resource, index) => [
        `  ${String(index + 1).padStart(2)}. ${kindOf(resource)}${resource.type}  ${resource.name}`,
        ...details(resource).map((line) => `        ${line}`),
    ]);
    return [
        `Plan of stack ${header.stack}, offline: no Pulumi CLI, no Azure, no cluster was reached.`,
        `SIMULATED: the cluster's answers are those ${calicoLine(header.calicoVersion)} would give ` +
            `(its FelixConfiguration has ${header.healthzField === "none" || header.healthzField === undefined ? "no kube-proxy healthz port field" : header.healthzField}); ` +
            "values only Azure or the cluster can know show as <...>. A real preview may differ.",
        ...header.simulated.map((line) => `SIMULATED: ${line}.`),
        "",
        `Settings (${header.stackFile ? `Pulumi.${header.stack}.yaml` : "no stack file yet"}, --set, Pulumi.yaml defaults):`,
        ...settings,
        "",
        "Resources, in the order the program sends them:",
        ...(resources.length > 0 ? resources : ["  (none: the program stopped first)"]),
        "",
        "Warnings:",
        ...(run.warnings.length > 0 ? run.warnings.map((w) => `  ${w}`) : ["  (none)"]),
        "",
        "Errors:",
        `  ${run.error ?? "(none)"}`,
        "",
    ]
        .join("\n")
        .replaceAll(SIMULATED_APPLY_TIME, APPLY_TIME_SHOWN)
        .replaceAll(SIMULATED_KUBECONFIG_HOST, SIMULATED_KUBECONFIG_HOST_SHOWN);
}
