/** `npm run lab -- plan`: the stack's settings, the program under a simulated cluster, the printed plan. */
import { PROJECT_DIR } from "../../cli/project";
import { kubeProxyHealthzPortFieldOf } from "../../../core/calico-objects";
import { isAksCalicoLine } from "../../../core/felix-schema";
import { projectConfig } from "../../../core/project-config";
import { calicoLine, renderPlan } from "./render";
import { planSettings } from "./settings";
import { simulate } from "./simulate";

/** What the plan stands in for an existing AKS cluster, which it reads nothing of. */
const simulatedAksCluster = (config: Readonly<Record<string, string>>): string[] =>
    config["cluster"] === "existing" && (config["existingAksCluster"] ?? "") !== ""
        ? [
              `AKS cluster ${config["existingAksCluster"] ?? ""}: plan reads nothing from Azure, so its ` +
                  "API server FQDN and user kubeconfig are simulated (a running cluster)",
          ]
        : [];

/** The first line of an error, and how many more the plan lists. */
function oneLine(error: string): string {
    const [first = "", ...rest] = error.split("\n").filter((line) => line.trim() !== "");
    return rest.length === 0
        ? first
        : `${first} (and ${rest.length} more, under Errors: in the plan)`;
}

/**
 * Prints the plan on stdout; resolves with 1 when the program or the settings would fail a
 * preview, else 0. The error, and a Calico release no AKS line ships, are also reported on stderr,
 * so a plan sent to a file does not fail silently.
 */
export async function runPlan(options: {
    readonly stack: string;
    readonly calicoVersion: string;
    readonly sets: readonly string[];
    readonly kubeconfigFile?: string;
    /** Where Pulumi.<stack>.yaml is looked for; the project's folder by default. */
    readonly stackDir?: string;
    readonly stdout: (text: string) => void;
    /** One line on stderr. */
    readonly report: (line: string) => void;
}): Promise<number> {
    const settings = planSettings(
        options.stackDir ?? PROJECT_DIR,
        options.stack,
        options.sets,
        options.kubeconfigFile,
    );
    if (!isAksCalicoLine(options.calicoVersion))
        options.report(`plan: --calico: ${calicoLine(options.calicoVersion).replace(/,$/, "")}`);
    const header = {
        stack: options.stack,
        calicoVersion: options.calicoVersion,
        healthzField: kubeProxyHealthzPortFieldOf(options.calicoVersion),
    };
    const fail = (text: string, error: string) => {
        options.stdout(text);
        options.report(`plan: a preview would stop on: ${oneLine(error)}`);
        return 1;
    };
    if ("error" in settings) {
        // The CLI stops here, before the program runs.
        const empty = { stackFile: true, config: {}, sources: {}, secretKeys: [], simulated: [] };
        const run = { resources: [], warnings: [], error: settings.error };
        return fail(renderPlan({ ...header, ...empty }, run), settings.error);
    }
    const run = await simulate({
        project: projectConfig().name,
        stack: options.stack,
        config: settings.config,
        secretKeys: settings.secretKeys,
        calicoVersion: options.calicoVersion,
        program: () => import("../../../index.js"),
    });
    const text = renderPlan(
        {
            ...header,
            ...settings,
            simulated: [...settings.simulated, ...simulatedAksCluster(settings.config)],
        },
        run,
    );
    if (run.error !== undefined) return fail(text, run.error);
    options.stdout(text);
    return 0;
}
