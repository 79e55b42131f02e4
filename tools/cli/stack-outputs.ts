/**
 * The lab's stack outputs, read through the Automation API (the CLI on PATH or in the lab's cache
 * folder); the outputs, secrets included, stay in this process's memory.
 */
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import { isOneOf } from "../../core/parse";
import { explained } from "./pulumi-errors";
import { NoPulumiCliError } from "./pulumi-cli";
import { STATE_DIR } from "./project";
import { outputValues, type LabStack, type OpenRequest } from "./pulumi-stack";

export interface LabOutputs {
    readonly kubeconfig: string;
    readonly yaobankUrl: string;
    readonly dataplane: Dataplane;
}

export class StackOutputsError extends Error {
    override name = "StackOutputsError";
}

type Outputs = Readonly<Record<string, unknown>>;

/** Checks the outputs the verification needs; says which is missing and what to do. */
export function parseStackOutputs(outputs: Outputs, stack: string): LabOutputs {
    const missing = ["kubeconfig", "yaobankUrl", "dataplane"].filter(
        (k) => typeof outputs[k] !== "string",
    );
    if (missing.length > 0) {
        throw new StackOutputsError(
            `stack ${stack} has no ${missing.join(", ")} output yet: run \`npm run lab -- up\` first` +
                (missing.includes("yaobankUrl") ? " (or the LoadBalancer has no IP yet)" : ""),
        );
    }
    const dataplane = outputs["dataplane"] as string;
    if (!isOneOf(DATAPLANES, dataplane)) {
        throw new StackOutputsError(`stack ${stack}: unexpected dataplane output "${dataplane}"`);
    }
    return {
        kubeconfig: outputs["kubeconfig"] as string,
        yaobankUrl: outputs["yaobankUrl"] as string,
        dataplane,
    };
}

/** Only the kubeconfig, for commands that need nothing else (npm run bench). */
export function parseKubeconfigOutput(outputs: Outputs, stack: string): string {
    const kubeconfig = outputs["kubeconfig"];
    if (typeof kubeconfig !== "string") {
        throw new StackOutputsError(
            `stack ${stack} has no kubeconfig output yet: run \`npm run lab -- up\` first`,
        );
    }
    return kubeconfig;
}

/** Selects an existing stack (never creates one); the Automation API for real, a fake in tests. */
export type OpenExistingStack = (request: OpenRequest) => Promise<LabStack>;

/**
 * Reads the stack's outputs. A missing CLI, stack or passphrase is reported as what it is, each in
 * one line; without a usable CLI, the options that name the cluster by hand (each tool's --help) are the way around it.
 */
export async function readStackOutputs<T = LabOutputs>(
    stack: string,
    projectDir: string,
    parse: (outputs: Outputs, stack: string) => T = parseStackOutputs as (
        outputs: Outputs,
        stack: string,
    ) => T,
    open?: OpenExistingStack,
): Promise<T> {
    const openStack =
        open ??
        (async (request: OpenRequest) => {
            const { openExistingStack } = await import("./automation.js");
            return openExistingStack(request, projectDir, STATE_DIR);
        });
    let labStack: LabStack;
    try {
        labStack = await openStack({ stack, create: false });
    } catch (error) {
        if (error instanceof NoPulumiCliError) {
            throw new StackOutputsError(
                `${error.message}; or name the cluster by hand (see --help)`,
            );
        }
        throw error;
    }
    const outputs = await explained(stack, () => labStack.outputs());
    return parse(outputValues(outputs), stack);
}
