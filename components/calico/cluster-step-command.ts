/** How Pulumi commands invoke tools/cluster-step/cluster-step.ts; shared by the component and the script. */

/** The environment variable that carries the kubeconfig (a Pulumi secret) to the commands. */
export const KUBECONFIG_ENV = "LAB_KUBECONFIG";

/**
 * The command line of a step. @pulumi/command runs it with /bin/sh -c in the provider's working
 * directory, the Pulumi project's folder (pulumi/pulumi-command provider/pkg/provider/local/commandOutputs.go @v1.2.1).
 */
export function clusterStepCommand(args: string): string {
    return `node --import tsx tools/cluster-step/cluster-step.ts ${args}`;
}
