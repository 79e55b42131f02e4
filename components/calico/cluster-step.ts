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

// A plain string for the serializer to capture (an imported binding is a property of a module object).
const kubeconfigVariable: string = KUBECONFIG_ENV;

interface ClusterStepInputs {
    readonly command: string;
    readonly triggers: string[];
    readonly kubeconfig: string;
}

/** What the engine keeps of a step: never the kubeconfig; the evidence it ended on. */
interface ClusterStepState {
    readonly command: string;
    readonly triggers: string[];
    /** The last lines the step printed when it last ran: what it waited for and saw. */
    readonly output: string;
}

/**
 * Runs one step in the Pulumi project's folder with the kubeconfig in `LAB_KUBECONFIG` and fails
 * with the end of what it printed. The engine runs dynamic providers through
 * `pulumi-resource-pulumi-nodejs`, which ships with the CLI (pulumi/pulumi
 * sdk/nodejs/dist/pulumi-resource-pulumi-nodejs @v3.276.0): no provider plugin to download, unlike
 * @pulumi/command, whose provider no module registry here serves. Its methods are serialized by
 * Pulumi's closure serializer, so they reach node modules through `require` alone.
 */
export const clusterStepProvider: pulumi.dynamic.ResourceProvider<
    ClusterStepInputs,
    ClusterStepState
> = {
    async create(inputs) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the serializer keeps `require` calls as they are
        const { spawn } = require("node:child_process") as typeof import("node:child_process");
        const tail: string[] = [];
        const keep = (chunk: Buffer) => {
            tail.push(
                ...chunk
                    .toString("utf8")
                    .split("\n")
                    .filter((line) => line.trim() !== ""),
            );
            tail.splice(0, Math.max(0, tail.length - 20));
        };
        const code = await new Promise<number | string>((resolve) => {
            const child = spawn("/bin/sh", ["-c", inputs.command], {
                env: { ...process.env, [kubeconfigVariable]: inputs.kubeconfig },
                stdio: ["ignore", "pipe", "pipe"],
            });
            child.stdout.on("data", keep);
            child.stderr.on("data", keep);
            child.on("error", (error) => {
                resolve(error.message);
            });
            child.on("close", (exit, signal) => {
                resolve(exit ?? `signal ${String(signal)}`);
            });
        });
        if (code !== 0) {
            throw new Error(`${inputs.command} failed (${code}): ${tail.slice(-5).join(" | ")}`);
        }
        return {
            id: inputs.command,
            outs: { command: inputs.command, triggers: inputs.triggers, output: tail.join("\n") },
        };
    },
    diff(_id, olds, news) {
        const rerun = JSON.stringify(olds.triggers) !== JSON.stringify(news.triggers);
        return Promise.resolve({
            changes: rerun || olds.command !== news.command,
            replaces: rerun ? ["triggers"] : [],
        });
    },
    update(_id, olds, news) {
        return Promise.resolve({
            outs: { command: news.command, triggers: news.triggers, output: olds.output },
        });
    },
};

/**
 * One step of the switch (a wait or a restart) as a resource: it runs when created and again when
 * its triggers change; a changed kubeconfig alone (AKS rotates it) runs nothing.
 */
export class ClusterStep extends pulumi.dynamic.Resource {
    /** The command line the step ran. */
    declare readonly command: pulumi.Output<string>;
    /** The last lines it printed when it last ran: the evidence it ended on. */
    declare readonly output: pulumi.Output<string>;

    constructor(name: string, args: ClusterStepArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            clusterStepProvider,
            name,
            {
                command: pulumi.output(args.step).apply(clusterStepCommand),
                kubeconfig: pulumi.secret(args.kubeconfig),
                triggers: args.triggers,
                output: undefined,
            },
            opts,
        );
    }
}
