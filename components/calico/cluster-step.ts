import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { clusterStepCommand, KUBECONFIG_ENV } from "./cluster-step-command";

export interface ClusterStepArgs {
    /** The step's arguments to tools/cluster-step/cluster-step.ts, e.g. `wait-dataplane bpf --since T`. */
    readonly step: pulumi.Input<string>;
    /** The cluster's kubeconfig (secret): handed to the step in its environment only. */
    readonly kubeconfig: pulumi.Input<string>;
    /** A change to any of them runs the step again; any other change only updates the record. */
    readonly triggers: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * What an update runs instead of the step: it prints again what the step printed when it last ran,
 * which the provider hands it in PULUMI_COMMAND_STDOUT/STDERR (pulumi/pulumi-command
 * provider/pkg/provider/local/commandOutputs.go run @v1.2.1), so the outputs keep the evidence.
 */
export const KEEP_LAST_OUTPUT =
    'printf %s "$PULUMI_COMMAND_STDOUT"; printf %s "$PULUMI_COMMAND_STDERR" >&2';

/**
 * A command that runs the lab's tool as every step does, the destroy guard's included. It runs with
 * /bin/sh -c in the provider's working directory, which the engine sets to the project's folder
 * (pulumi/pulumi sdk/go/common/resource/plugin/plugin.go execPlugin `cmd.Dir = pwd`,
 * pkg/engine/project.go getPwdMain @v3.276.0), so `node` is the one on the user's PATH and tsx the
 * project's own. The kubeconfig is a secret in the environment only, which the provider keeps secret
 * in the state (pulumi/pulumi-go-provider infer/resource.go markSecret @v1.3.0;
 * additionalSecretOutputs says so again). Nothing the command prints is logged: it is kept as the
 * stdout and stderr outputs, and a failed command's error carries it (commandOutputs.go run).
 */
export function labCommand(
    name: string,
    kubeconfig: pulumi.Input<string>,
    commands: Pick<command.local.CommandArgs, "create" | "update" | "delete" | "triggers">,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return new command.local.Command(
        name,
        {
            ...commands,
            environment: { [KUBECONFIG_ENV]: pulumi.secret(kubeconfig) },
            logging: "none",
            addPreviousOutputInEnv: true,
        },
        { ...opts, additionalSecretOutputs: ["environment"] },
    );
}

/**
 * One step of the switch (a wait or a restart) as a `command.local.Command`: it runs when created
 * and again when its triggers change (a replacement, with or without `update`: the field is
 * tagged replaceOnChanges, pulumi-command provider/pkg/provider/common/inputs.go @v1.2.1 and
 * pulumi-go-provider infer/resource.go Diff @v1.3.0); any other change, such as a rotated kubeconfig (AKS rotates it) or a new
 * command line, is an update that runs only KEEP_LAST_OUTPUT. A step that fails is not recorded
 * (a plain error from Create: pulumi-go-provider infer/resource.go Create @v1.3.0), so the next
 * `up` runs it again.
 */
export function clusterStep(
    name: string,
    args: ClusterStepArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return labCommand(
        name,
        args.kubeconfig,
        {
            create: pulumi.output(args.step).apply(clusterStepCommand),
            update: KEEP_LAST_OUTPUT,
            triggers: args.triggers,
        },
        opts,
    );
}
