/**
 * The steps of a dataplane switch that Pulumi runs as commands (see components/calico-dataplane.ts):
 *
 *   tsx tools/cluster-step/cluster-step.ts wait-calico [--timeout-seconds N]
 *   tsx tools/cluster-step/cluster-step.ts wait-dataplane <iptables|bpf> [--timeout-seconds N]
 *   tsx tools/cluster-step/cluster-step.ts restart <namespace>/<deployment> [--timeout-seconds N]
 *
 * The kubeconfig comes in $LAB_KUBECONFIG (a Pulumi secret), never on the command line or on disk.
 */
import { parseArgs } from "node:util";
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import {
    pendingCalicoReady,
    pendingRollout,
    pendingSwitch,
    type CalicoSnapshot,
    type RolloutStatus,
} from "../../core/convergence";
import { calicoSnapshotFrom } from "../kube/cluster-objects";
import { runMain } from "../cli/main";
import { pollUntilConverged, type PollOptions } from "../cli/poll";
import { isOneOf, positiveInteger } from "../../core/parse";

export type Step =
    | { readonly kind: "wait-calico"; readonly timeoutSeconds: number }
    | {
          readonly kind: "wait-dataplane";
          readonly dataplane: Dataplane;
          readonly timeoutSeconds: number;
      }
    | {
          readonly kind: "restart";
          readonly namespace: string;
          readonly deployment: string;
          readonly timeoutSeconds: number;
      };

/** Default deadlines: a calico-node rollout over a few nodes, a CoreDNS rollout. */
export const DEFAULT_TIMEOUT_SECONDS = {
    "wait-calico": 900,
    "wait-dataplane": 1200,
    restart: 600,
} as const;

const USAGE =
    "usage: cluster-step.ts wait-calico | wait-dataplane <iptables|bpf> | restart <namespace>/<deployment> [--timeout-seconds N]";

export function parseStep(argv: readonly string[]): Step {
    const { positionals, values } = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: { "timeout-seconds": { type: "string" } },
    });
    const [kind, target, ...extra] = positionals;
    if (extra.length > 0) throw new Error(`unexpected arguments: ${extra.join(" ")}\n${USAGE}`);
    const timeout = (fallback: number) => {
        const raw = values["timeout-seconds"];
        if (raw === undefined) return fallback;
        const seconds = positiveInteger(raw);
        if (seconds === undefined)
            throw new Error(`--timeout-seconds must be a positive integer, not "${raw}"`);
        return seconds;
    };
    if (kind === "wait-calico") {
        if (target !== undefined) throw new Error(`unexpected arguments: ${target}\n${USAGE}`);
        return { kind, timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]) };
    }
    if (kind === "wait-dataplane") {
        if (target === undefined || !isOneOf(DATAPLANES, target)) {
            throw new Error(
                `wait-dataplane needs one of ${DATAPLANES.join(", ")}, not "${target ?? ""}"\n${USAGE}`,
            );
        }
        return {
            kind,
            dataplane: target,
            timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]),
        };
    }
    if (kind === "restart") {
        const match = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(target ?? "");
        if (!match?.[1] || !match[2])
            throw new Error(
                `restart needs <namespace>/<deployment>, not "${target ?? ""}"\n${USAGE}`,
            );
        return {
            kind,
            namespace: match[1],
            deployment: match[2],
            timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]),
        };
    }
    throw new Error(USAGE);
}

/** The cluster as the steps see it; a fake in tests, @kubernetes/client-node for real. */
export interface Cluster {
    readCalico(): Promise<CalicoSnapshot>;
    readDeployment(namespace: string, name: string): Promise<RolloutStatus | undefined>;
    restartDeployment(namespace: string, name: string, at: Date): Promise<void>;
}

export interface RunOptions {
    readonly poll?: Partial<Omit<PollOptions, "timeoutMs">>;
    readonly log?: (line: string) => void;
    readonly now?: () => Date;
}

/** Runs a step to completion; throws NotConvergedError naming what did not converge. */
export async function runStep(
    step: Step,
    cluster: Cluster,
    options: RunOptions = {},
): Promise<string> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    let last = "";
    const poll: PollOptions = {
        intervalMs: 10_000,
        // Three converged looks in a row (20 s or more) ride over Felix restarting on every
        // node when its configuration changes (projectcalico/calico felix/daemon/daemon.go @v3.30.3).
        consecutive: step.kind === "wait-dataplane" ? 3 : 1,
        ...options.poll,
        timeoutMs: step.timeoutSeconds * 1000,
        onProgress: (pending, elapsed) => {
            const line = pending.length === 0 ? "converged" : pending.join("; ");
            if (line !== last) log(`[${Math.round(elapsed / 1000)}s] ${line}`);
            last = line;
        },
    };
    if (step.kind === "wait-calico") {
        await pollUntilConverged(
            "Calico's start on the cluster",
            async () => pendingCalicoReady(await cluster.readCalico()),
            poll,
        );
        return "Calico is up: Installation, FelixConfiguration and TigeraStatus are there";
    }
    if (step.kind === "wait-dataplane") {
        await pollUntilConverged(
            `the switch to the ${step.dataplane} dataplane`,
            async () => pendingSwitch(step.dataplane, await cluster.readCalico()),
            poll,
        );
        return `Calico's ${step.dataplane} dataplane is live`;
    }
    const name = `Deployment ${step.namespace}/${step.deployment}`;
    const before = await cluster.readDeployment(step.namespace, step.deployment);
    if (before === undefined) throw new Error(`${name} not found`);
    await cluster.restartDeployment(
        step.namespace,
        step.deployment,
        (options.now ?? (() => new Date()))(),
    );
    log(`${name}: rolling restart requested`);
    await pollUntilConverged(
        `the rolling restart of ${name}`,
        async () => {
            const status = await cluster.readDeployment(step.namespace, step.deployment);
            // The restart bumped the generation; a status from before the bump is not news.
            const bumped = status && {
                ...status,
                generation: Math.max(status.generation ?? 0, (before.generation ?? 0) + 1),
            };
            return pendingRollout(name, bumped);
        },
        poll,
    );
    return `${name} restarted`;
}

async function main(): Promise<number> {
    const step = parseStep(process.argv.slice(2));
    const kube = await import("../kube/client.js");
    const config = kube.kubeConfigFromEnv();
    const cluster: Cluster = {
        readCalico: async () => calicoSnapshotFrom(await kube.readCalicoObjects(config)),
        readDeployment: (namespace, name) => kube.readDeploymentRollout(config, namespace, name),
        restartDeployment: (namespace, name, at) =>
            kube.restartDeployment(config, namespace, name, at),
    };
    process.stdout.write(`${await runStep(step, cluster)}\n`);
    return 0;
}

if (require.main === module) {
    runMain("cluster-step", main, () => 1);
}
