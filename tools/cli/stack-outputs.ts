/** The lab's stack outputs, as `pulumi stack output --json --show-secrets` gives them. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import { isOneOf } from "../../core/parse";

export interface LabOutputs {
    readonly kubeconfig: string;
    readonly yaobankUrl: string;
    readonly dataplane: Dataplane;
}

export class StackOutputsError extends Error {
    override name = "StackOutputsError";
}

/** Checks the outputs the verification needs; says which is missing and what to do. */
function outputsOf(json: string, stack: string): Record<string, unknown> {
    try {
        return JSON.parse(json) as Record<string, unknown>;
    } catch {
        throw new StackOutputsError(`stack ${stack}: pulumi printed no JSON outputs`);
    }
}

export function parseStackOutputs(json: string, stack: string): LabOutputs {
    const outputs = outputsOf(json, stack);
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
export function parseKubeconfigOutput(json: string, stack: string): string {
    const kubeconfig = outputsOf(json, stack)["kubeconfig"];
    if (typeof kubeconfig !== "string") {
        throw new StackOutputsError(
            `stack ${stack} has no kubeconfig output yet: run \`npm run lab -- up\` first`,
        );
    }
    return kubeconfig;
}

/**
 * Runs the Pulumi CLI against the lab's local state (as tools/lab/lab.sh does). Pulumi may ask for the
 * stack's passphrase on the terminal; the outputs, secrets included, stay in this process's memory.
 */
export function readStackOutputs<T = LabOutputs>(
    stack: string,
    projectDir: string,
    parse: (json: string, stack: string) => T = parseStackOutputs as (
        json: string,
        stack: string,
    ) => T,
): Promise<T> {
    const env = {
        ...process.env,
        PULUMI_BACKEND_URL:
            process.env["PULUMI_BACKEND_URL"] ?? `file://${join(projectDir, ".pulumi-state")}`,
    };
    return new Promise((resolve, reject) => {
        const child = spawn(
            "pulumi",
            ["stack", "output", "--json", "--show-secrets", "--stack", stack],
            {
                cwd: projectDir,
                env,
                stdio: ["inherit", "pipe", "inherit"],
            },
        );
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.on("error", (error) => {
            reject(
                new StackOutputsError(
                    `cannot run the Pulumi CLI (${error.message}); or pass --kubeconfig and --url`,
                ),
            );
        });
        child.on("close", (code) => {
            if (code !== 0) {
                reject(
                    new StackOutputsError(
                        `\`pulumi stack output\` failed for stack ${stack} (exit ${String(code)}): does the stack exist?`,
                    ),
                );
                return;
            }
            try {
                resolve(parse(stdout, stack));
            } catch (error) {
                reject(error instanceof Error ? error : new StackOutputsError(String(error)));
            }
        });
    });
}
