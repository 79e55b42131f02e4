/** `npm run lab -- plan`: the stack's settings, the program under a simulated cluster, the printed plan. */
import { PROJECT_DIR } from "../../cli/project";
import { kubeProxyHealthzPortFieldOf } from "../../../core/calico-objects";
import { projectConfig } from "../../../core/project-config";
import { renderPlan } from "./render";
import { planSettings } from "./settings";
import { simulate } from "./simulate";

/** Prints the plan; resolves with 1 when the program or the settings would fail a preview, else 0. */
export async function runPlan(options: {
    readonly stack: string;
    readonly calicoVersion: string;
    readonly sets: readonly string[];
    readonly stdout: (text: string) => void;
}): Promise<number> {
    const settings = planSettings(PROJECT_DIR, options.stack, options.sets);
    const header = {
        stack: options.stack,
        calicoVersion: options.calicoVersion,
        healthzField: kubeProxyHealthzPortFieldOf(options.calicoVersion),
    };
    if ("error" in settings) {
        // The CLI stops here, before the program runs.
        options.stdout(
            renderPlan(
                { ...header, stackFile: true, config: {}, sources: {} },
                { resources: [], warnings: [], error: settings.error },
            ),
        );
        return 1;
    }
    const run = await simulate({
        project: projectConfig().name,
        stack: options.stack,
        config: settings.config,
        calicoVersion: options.calicoVersion,
        program: () => import("../../../index.js"),
    });
    options.stdout(renderPlan({ ...header, ...settings }, run));
    return run.error === undefined ? 0 : 1;
}
