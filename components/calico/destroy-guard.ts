import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { clusterStepCommand } from "./cluster-step-command";
import { labCommand } from "./cluster-step";

export interface DestroyGuardArgs {
    /** The cluster's kubeconfig (secret): its delete reads the cluster with it. */
    readonly kubeconfig: pulumi.Input<string>;
}

/**
 * Refuses to be deleted while the cluster runs Calico's eBPF dataplane: a `command.local.Command`
 * with only a `delete`, so it runs nothing when created or updated (a new kubeconfig only updates
 * the state), and when deleted (a `destroy`, or the stack leaving `cluster existing`) runs
 * `refuse-destroy-on-ebpf` as the steps run theirs, which fails while eBPF is live. A destroy that
 * gets past it finds the cluster on iptables, where relinquishing the lab's patches changes no
 * dataplane. Its delete sees only the state (pulumi/pulumi-command
 * provider/pkg/provider/local/commandController.go Delete @v1.2.1), which keeps the kubeconfig as a
 * secret, as it already keeps the Kubernetes provider's. No triggers: it is never replaced, which
 * would run the check.
 */
export function destroyGuard(
    name: string,
    args: DestroyGuardArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return labCommand(
        name,
        args.kubeconfig,
        { delete: clusterStepCommand("refuse-destroy-on-ebpf") },
        opts,
    );
}
