import * as pulumi from "@pulumi/pulumi";
import { clusterStepCommand } from "./cluster-step-command";
import { clusterStepProvider } from "./cluster-step";

export interface DestroyGuardArgs {
    /** The cluster's kubeconfig (secret): its delete reads the cluster with it. */
    readonly kubeconfig: pulumi.Input<string>;
}

/** What the engine keeps of the guard: the command its delete runs and the kubeconfig, as a secret. */
interface DestroyGuardState {
    readonly command: string;
    readonly kubeconfig: string;
}

const REFUSE_ON_EBPF = clusterStepCommand("refuse-destroy-on-ebpf");

/**
 * Does nothing when created; when deleted (a `destroy`, or the stack leaving `cluster existing`),
 * runs `refuse-destroy-on-ebpf` as ClusterStep runs its steps, which fails while Calico's eBPF
 * dataplane is live. A destroy that gets past it finds the cluster on iptables, where relinquishing
 * the lab's patches changes no dataplane. Unlike ClusterStep it must keep the kubeconfig: a
 * dynamic provider's delete sees only the state (pulumi/pulumi sdk/nodejs/cmd/dynamic-provider/index.ts
 * @v3.276.0), which holds it as a secret, as it already holds the Kubernetes provider's.
 */
export const destroyGuardProvider: pulumi.dynamic.ResourceProvider<
    DestroyGuardState,
    DestroyGuardState
> = {
    create(inputs) {
        return Promise.resolve({ id: "destroy-guard", outs: inputs });
    },
    diff(_id, olds, news) {
        return Promise.resolve({
            changes: olds.command !== news.command || olds.kubeconfig !== news.kubeconfig,
        });
    },
    update(_id, _olds, news) {
        return Promise.resolve({ outs: news });
    },
    async delete(_id, props) {
        await clusterStepProvider.create({ ...props, triggers: [] });
    },
};

/** Refuses to be deleted while the cluster runs Calico's eBPF dataplane (see destroyGuardProvider). */
export class DestroyGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: DestroyGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            destroyGuardProvider,
            name,
            { command: REFUSE_ON_EBPF, kubeconfig: pulumi.secret(args.kubeconfig) },
            { ...opts, additionalSecretOutputs: ["kubeconfig"] },
        );
    }
}
