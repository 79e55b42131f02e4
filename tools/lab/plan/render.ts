/**
 * The text of `npm run lab -- plan`: what it ran on, then each resource in the order the program
 * sends it (with the exact patch or step command where it has one), then the warnings and errors a
 * preview would show. Pure.
 */
import type { SettingSource } from "./settings";
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

export function renderPlan(header: PlanHeader, run: SimulatedRun): string {
    const settings = Object.entries(header.config).map(
        ([key, value]) =>
            `  ${key} = ${value === "" ? '""' : value}  (${header.sources[key] ?? "default"})`,
    );
    const resources = run.resources.flatMap((resource, index) => [
        `  ${String(index + 1).padStart(2)}. ${kindOf(resource)}${resource.type}  ${resource.name}`,
        ...details(resource).map((line) => `        ${line}`),
    ]);
    return [
        `Plan of stack ${header.stack}, offline: no Pulumi CLI, no Azure, no cluster was reached.`,
        `SIMULATED: the cluster's answers are those AKS-managed Calico ${header.calicoVersion} would give ` +
            `(its FelixConfiguration has ${header.healthzField === "none" || header.healthzField === undefined ? "no kube-proxy healthz port field" : header.healthzField}); ` +
            "values only Azure or the cluster can know show as <...>. A real preview may differ.",
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
        .replaceAll(SIMULATED_APPLY_TIME, APPLY_TIME_SHOWN);
}
