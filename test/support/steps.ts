/** What every switch step and the destroy guard must be, as the program registers them. */
import assert from "node:assert/strict";
import type { Registration } from "./mock-program";

export const COMMAND = "command:local:Command";
/** How a step starts tools/cluster-step/cluster-step.ts, in the project's folder. */
export const STEP = "exec node --import tsx tools/cluster-step/cluster-step.ts";

/**
 * The kubeconfig reaches the command in LAB_KUBECONFIG only: a secret input, a secret output, in no
 * other input (so not in the command text the engine shows and records), and nothing the command
 * prints goes to Pulumi's log.
 */
export function assertKubeconfigOnlyInEnvironment(command: Registration, kubeconfig: string) {
    const { environment, ...rest } = command.inputs;
    assert.deepEqual(environment, { LAB_KUBECONFIG: kubeconfig }, command.name);
    assert.ok(command.secretInputKeys.includes("environment"), command.name);
    assert.deepEqual(command.options.additionalSecretOutputs, ["environment"], command.name);
    assert.equal(command.inputs["logging"], "none", command.name);
    assert.ok(!JSON.stringify(rest).includes(kubeconfig.trim()), command.name);
}
