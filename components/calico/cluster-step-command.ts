/** How the switch's steps invoke tools/cluster-step/cluster-step.ts; shared by the component and the tools. */

/** The environment variable that carries the kubeconfig (a Pulumi secret) to the steps. */
export const KUBECONFIG_ENV = "LAB_KUBECONFIG";

/**
 * The command line of a step, which the command provider runs with /bin/sh -c in the project's
 * folder. `exec`: the shell becomes node, so the process the provider kills when the user cancels
 * (exec.CommandContext: pulumi/pulumi-command provider/pkg/provider/local/commandOutputs.go run
 * @v1.2.1) is the step itself; Debian's dash forks for a lone command instead.
 */
export function clusterStepCommand(args: string): string {
    return `exec node --import tsx tools/cluster-step/cluster-step.ts ${args}`;
}
