/** How the switch's steps invoke tools/cluster-step/cluster-step.ts; shared by the component and the tools. */

/** The environment variable that carries the kubeconfig (a Pulumi secret) to the steps. */
export const KUBECONFIG_ENV = "LAB_KUBECONFIG";

/**
 * The command line of a step. ClusterStep runs it with /bin/sh -c in the dynamic provider's working
 * directory, the Pulumi project's folder.
 */
export function clusterStepCommand(args: string): string {
    return `node --import tsx tools/cluster-step/cluster-step.ts ${args}`;
}
