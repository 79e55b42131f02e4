/**
 * The steps of a dataplane switch that Pulumi runs as commands (see components/calico/calico-dataplane.ts):
 *
 *   tsx tools/cluster-step/cluster-step.ts wait-calico [--existing]
 *   tsx tools/cluster-step/cluster-step.ts preflight-ebpf
 *   tsx tools/cluster-step/cluster-step.ts wait-ctlb-detached --since T
 *   tsx tools/cluster-step/cluster-step.ts wait-dataplane <iptables|bpf> --since T
 *   tsx tools/cluster-step/cluster-step.ts restart <namespace>/<deployment> --since T
 *   tsx tools/cluster-step/cluster-step.ts refuse-destroy-on-ebpf
 *
 * T is when the lab's patch was applied (its managedFields time). The kubeconfig comes in
 * $LAB_KUBECONFIG (a Pulumi secret), never on the command line or on disk.
 */
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import {
    pendingCalicoReady,
    pendingRollout,
    pendingSwitch,
    withNodesNotReady,
    type CalicoSnapshot,
    type RolloutStatus,
} from "../../core/convergence";
import {
    calicoNodeRolledSince,
    ctlbDetach,
    felixLogLevelProblem,
    pendingFelixDataplane,
    type CalicoNodePod,
} from "../../core/felix-log";
import { ctlbKernelRefusal, type EbpfFlipFacts } from "../../core/ctlb-kernel-guard";
import { calicoSnapshotFrom, ebpfFlipFactsFrom } from "../kube/cluster-objects";
import {
    calicoPreflightProblem,
    ebpfStillLive,
    type CalicoApis,
} from "../../core/calico-preflight";
import {
    HELP,
    helpText,
    parseCommandLine,
    stringOption,
    UsageError,
    type CommandSpec,
    flag,
    positiveIntegerOption,
} from "../cli/args";
import { runMain } from "../cli/main";
import { pollUntilConverged, type PollOptions } from "../cli/poll";
import { isOneOf } from "../../core/parse";

export type Step =
    | { readonly kind: "wait-calico"; readonly existing: boolean; readonly timeoutSeconds: number }
    | { readonly kind: "refuse-destroy-on-ebpf" }
    | { readonly kind: "preflight-ebpf" }
    | { readonly kind: "wait-ctlb-detached"; readonly since: Date; readonly timeoutSeconds: number }
    | {
          readonly kind: "wait-dataplane";
          readonly dataplane: Dataplane;
          readonly since: Date;
          readonly timeoutSeconds: number;
      }
    | {
          readonly kind: "restart";
          readonly namespace: string;
          readonly deployment: string;
          readonly since: Date;
          readonly timeoutSeconds: number;
      };

/** Default deadlines: a calico-node rollout over a few nodes, Felix restarts, a CoreDNS rollout. */
const DEFAULT_TIMEOUT_SECONDS = {
    "wait-calico": 900,
    "wait-ctlb-detached": 600,
    "wait-dataplane": 1200,
    restart: 600,
} as const;

/** Caps every step's default deadline, for a cluster slower or faster than AKS's usual. */
export const STEP_TIMEOUT_ENV = "LAB_STEP_TIMEOUT_SECONDS";

const CLUSTER_STEP_COMMAND: CommandSpec = {
    name: "tsx tools/cluster-step/cluster-step.ts",
    summary: "one step of a dataplane switch, run by the lab's Pulumi program",
    usage: [
        "wait-calico [--existing] [--timeout-seconds N]",
        "preflight-ebpf",
        "wait-ctlb-detached --since T [--timeout-seconds N]",
        `wait-dataplane ${DATAPLANES.join("|")} --since T [--timeout-seconds N]`,
        "restart <namespace>/<deployment> --since T [--timeout-seconds N]",
        "refuse-destroy-on-ebpf",
    ],
    positionals: ["step", "target"],
    options: {
        existing: {
            type: "boolean",
            description:
                "wait-calico on a cluster the lab did not create: fail at once when the Tigera operator, Installation default or the FelixConfiguration CRD is missing",
        },
        since: {
            type: "string",
            value: "T",
            description:
                "when the lab applied the switch's patch (RFC 3339, e.g. 2026-11-23T10:00:00Z)",
        },
        "timeout-seconds": {
            type: "string",
            value: "N",
            description: `how long to wait (defaults: ${Object.entries(DEFAULT_TIMEOUT_SECONDS)
                .map(([step, seconds]) => `${step} ${seconds}`)
                .join(", ")})`,
        },
    },
    exitCodes: [
        [0, "the step is done"],
        [
            1,
            "it did not converge in time (the message names what is missing), the cluster's Calico cannot be switched, eBPF would crash-loop calico-node on a node's kernel, Felix's log level hides what the wait reads, or a destroy must wait for the flip back",
        ],
        [2, "bad arguments"],
    ],
    examples: [
        "LAB_KUBECONFIG=... tsx tools/cluster-step/cluster-step.ts wait-dataplane bpf --since 2026-11-23T10:00:00Z",
    ],
    notes: [
        "The kubeconfig is read from $LAB_KUBECONFIG.",
        `$${STEP_TIMEOUT_ENV}, when set, replaces the default deadline of every step.`,
    ],
};

/** The Kubernetes provider's switch for a cluster that is gone (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go @94977969). */
const DELETE_UNREACHABLE_ENV = "PULUMI_K8S_DELETE_UNREACHABLE";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function parseStep(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
): Step | typeof HELP {
    const line = parseCommandLine(CLUSTER_STEP_COMMAND, argv);
    if (line === HELP) return HELP;
    const [kind, target] = line.positionals;
    const timeout = (fallback: number) => {
        const raw = stringOption(line, "timeout-seconds");
        if (raw !== undefined) return positiveIntegerOption("timeout-seconds", raw);
        const fromEnv = env[STEP_TIMEOUT_ENV];
        return fromEnv === undefined || fromEnv === ""
            ? fallback
            : positiveIntegerOption(STEP_TIMEOUT_ENV, fromEnv);
    };
    const since = () => {
        const raw = stringOption(line, "since") ?? "";
        if (!RFC3339.test(raw) || Number.isNaN(Date.parse(raw))) {
            throw new UsageError(
                `${kind ?? ""} needs --since, the time the switch's patch was applied ` +
                    `(RFC 3339, e.g. 2026-11-23T10:00:00Z), not "${raw}"`,
            );
        }
        return new Date(raw);
    };
    const noTarget = () => {
        if (target !== undefined) throw new UsageError(`unexpected argument(s): ${target}`);
    };
    switch (kind) {
        case "wait-calico":
            noTarget();
            return {
                kind,
                existing: flag(line, "existing"),
                timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]),
            };
        case "refuse-destroy-on-ebpf":
        case "preflight-ebpf":
            noTarget();
            return { kind };
        case "wait-ctlb-detached":
            noTarget();
            return { kind, since: since(), timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]) };
        case "wait-dataplane":
            if (target === undefined || !isOneOf(DATAPLANES, target)) {
                throw new UsageError(
                    `wait-dataplane needs one of ${DATAPLANES.join(", ")}, not "${target ?? ""}"`,
                );
            }
            return {
                kind,
                dataplane: target,
                since: since(),
                timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]),
            };
        case "restart": {
            const match = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(target ?? "");
            if (!match?.[1] || !match[2])
                throw new UsageError(
                    `restart needs <namespace>/<deployment>, not "${target ?? ""}"`,
                );
            return {
                kind,
                namespace: match[1],
                deployment: match[2],
                since: since(),
                timeoutSeconds: timeout(DEFAULT_TIMEOUT_SECONDS[kind]),
            };
        }
        default:
            throw new UsageError(
                `unknown step "${kind ?? ""}": one of wait-calico, preflight-ebpf, wait-ctlb-detached, wait-dataplane, restart, refuse-destroy-on-ebpf`,
            );
    }
}

/** The cluster as the steps see it; a fake in tests, @kubernetes/client-node for real. */
export interface Cluster {
    readCalico(): Promise<CalicoSnapshot>;
    /** Which Calico CRDs the cluster serves. */
    readCalicoApis(): Promise<CalicoApis>;
    /** What a flip to eBPF must know before it writes (core/ctlb-kernel-guard.ts). */
    readEbpfFlipFacts(): Promise<EbpfFlipFacts>;
    /** calico-node's pods, each with its log from `since` on (kubelet timestamps on every line). */
    readCalicoNodes(since: Date): Promise<CalicoNodePod[]>;
    readDeployment(namespace: string, name: string): Promise<RolloutStatus | undefined>;
    restartDeployment(namespace: string, name: string, at: Date): Promise<void>;
    /** Gives up every field `manager` holds on FelixConfiguration `default`. */
    releaseFelixConfiguration(manager: string): Promise<void>;
}

export interface RunOptions {
    /**
     * Whether a failed read means the cluster is gone and the user said so
     * (PULUMI_K8S_DELETE_UNREACHABLE=true, which `npm run lab -- destroy` sets): then a destroy
     * has no Calico left to protect.
     */
    readonly clusterGone?: (error: unknown) => boolean;
    readonly poll?: Partial<Omit<PollOptions, "timeoutMs">>;
    readonly log?: (line: string) => void;
    readonly now?: () => Date;
}

const clockTime = (date: Date): string => date.toISOString().replace(/\.000Z$/, "Z");

/**
 * Time between two looks of a wait. A look is a handful of reads (nodes, calico-node and its pods'
 * logs since the switch, the Installation and its status), light for the API server at this rate;
 * what a wait adds to a flip is about half of it on average.
 */
export const WAIT_POLL_MS = 5_000;

/** Runs a step to completion; throws NotConvergedError naming what did not converge. */
export async function runStep(
    step: Step,
    cluster: Cluster,
    options: RunOptions = {},
): Promise<string> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    if (step.kind === "refuse-destroy-on-ebpf") return refuseDestroyOnEbpf(cluster, options);
    if (step.kind === "preflight-ebpf") {
        const facts = await cluster.readEbpfFlipFacts();
        const refusal = ctlbKernelRefusal(facts);
        if (refusal !== undefined) throw new Error(refusal);
        // Released before the connect-time LB patch hands its own hold back, or the value a lost
        // state's patch holds would stay (the eBPF wait looks at Felix's mode, not its ctlb).
        for (const manager of facts.orphanedCtlbManagers)
            await cluster.releaseFelixConfiguration(manager);
        const released =
            facts.orphanedCtlbManagers.length === 0
                ? ""
                : `; released bpfConnectTimeLoadBalancing from ${facts.orphanedCtlbManagers.join(", ")} (patches no longer in this stack's state, as after a lost state), so Felix's default applies`;
        return `no node's kernel refuses this Calico's connect-time load balancer: the switch to eBPF goes on${released}`;
    }
    let last = "";
    // One converged look is enough: "converged" includes each node's Felix having started the
    // wanted mode since the switch (or, on a node calico-node did not roll, not having restarted
    // at all, which it must on any change of bpfEnabled), and the operator reporting the
    // Installation generation done, which it does only at the end of its reconcile
    // (tigera/operator pkg/controller/installation/core_controller.go SetMetaData @v1.38.6).
    const poll: PollOptions = {
        intervalMs: WAIT_POLL_MS,
        ...options.poll,
        timeoutMs: step.timeoutSeconds * 1000,
        onProgress: (pending, elapsed) => {
            const line = pending.length === 0 ? "converged" : pending.join("; ");
            if (line !== last) log(`[${Math.round(elapsed / 1000)}s] ${line}`);
            last = line;
        },
    };
    switch (step.kind) {
        case "wait-calico": {
            // A cluster the lab cannot switch ends the wait at its first look, before any patch.
            let refused: string | undefined;
            await pollUntilConverged(
                "Calico's start on the cluster",
                async () => {
                    const [apis, snapshot] = await Promise.all([
                        cluster.readCalicoApis(),
                        cluster.readCalico(),
                    ]);
                    refused = calicoPreflightProblem(apis, snapshot, step.existing);
                    return refused === undefined ? pendingCalicoReady(snapshot) : [];
                },
                poll,
            );
            if (refused !== undefined) throw new Error(refused);
            return "Calico is up: Installation, FelixConfiguration and TigeraStatus are there";
        }
        case "wait-ctlb-detached":
            return waitCtlbDetached(step.since, cluster, poll, log);
        case "wait-dataplane": {
            let nftablesMode: string | undefined;
            // Felix's log level can hide the evidence for good: then the wait ends at that look.
            let hidden: string | undefined;
            await pollUntilConverged(
                `the switch to the ${step.dataplane} dataplane`,
                async () => {
                    const snapshot = await cluster.readCalico();
                    nftablesMode = snapshot.felixNftablesMode;
                    hidden = felixLogLevelProblem(snapshot.felixLogSeverityScreen);
                    if (hidden !== undefined) return [];
                    const operator = pendingSwitch(step.dataplane, snapshot);
                    if (operator.length > 0) return withNodesNotReady(operator, snapshot);
                    const pods = await cluster.readCalicoNodes(step.since);
                    return withNodesNotReady(
                        pendingFelixDataplane(step.dataplane, step.since.getTime(), pods),
                        snapshot,
                    );
                },
                poll,
            );
            if (hidden !== undefined) throw new Error(hidden);
            const mode = nftablesMode === undefined ? "" : ` (nftablesMode ${nftablesMode})`;
            return `Calico's ${step.dataplane} dataplane${mode} is live on every node`;
        }
        case "restart":
            return restartAfterSwitch(step, cluster, poll, log, options.now);
    }
}

async function refuseDestroyOnEbpf(cluster: Cluster, options: RunOptions): Promise<string> {
    let snapshot: CalicoSnapshot;
    try {
        snapshot = await cluster.readCalico();
    } catch (error) {
        if (options.clusterGone?.(error) === true) {
            return `the cluster cannot be reached and ${DELETE_UNREACHABLE_ENV}=true says it is gone: the destroy goes on`;
        }
        throw error;
    }
    const live = ebpfStillLive(snapshot);
    if (live !== undefined) throw new Error(live);
    return "Calico is not on eBPF: the destroy goes on";
}

async function waitCtlbDetached(
    since: Date,
    cluster: Cluster,
    poll: PollOptions,
    log: (line: string) => void,
): Promise<string> {
    const last = {
        live: false,
        warnings: [] as readonly string[],
        hidden: undefined as string | undefined,
    };
    await pollUntilConverged(
        "the connect-time load balancer's removal",
        async () => {
            const snapshot = await cluster.readCalico();
            last.live = snapshot.felixBpfEnabled === true;
            last.hidden = felixLogLevelProblem(snapshot.felixLogSeverityScreen);
            if (!last.live || last.hidden !== undefined) return [];
            const detach = ctlbDetach(since.getTime(), await cluster.readCalicoNodes(since));
            last.warnings = detach.warnings;
            return withNodesNotReady(detach.pending, snapshot);
        },
        poll,
    );
    if (last.live && last.hidden !== undefined) throw new Error(last.hidden);
    for (const warning of last.warnings) log(`warning: ${warning}`);
    return last.live
        ? "every node's Felix restarted in eBPF mode without the connect-time load balancer"
        : "eBPF is not live (FelixConfiguration bpfEnabled is not true): no connect-time load balancer to detach";
}

async function restartAfterSwitch(
    step: Extract<Step, { kind: "restart" }>,
    cluster: Cluster,
    poll: PollOptions,
    log: (line: string) => void,
    now: () => Date = () => new Date(),
): Promise<string> {
    const name = `Deployment ${step.namespace}/${step.deployment}`;
    const pods = await cluster.readCalicoNodes(step.since);
    if (!calicoNodeRolledSince(step.since.getTime(), pods)) {
        return `calico-node did not roll since ${clockTime(step.since)}: the dataplane did not change on the nodes, ${name} keeps running`;
    }
    const before = await cluster.readDeployment(step.namespace, step.deployment);
    if (before === undefined) throw new Error(`${name} not found`);
    await cluster.restartDeployment(step.namespace, step.deployment, now());
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
    if (step === HELP) {
        process.stdout.write(helpText(CLUSTER_STEP_COMMAND));
        return 0;
    }
    const kube = await import("../kube/client.js");
    const config = kube.kubeConfigFromEnv();
    const cluster: Cluster = {
        readCalico: async () => calicoSnapshotFrom(await kube.readCalicoObjects(config)),
        readCalicoApis: () => kube.readCalicoApis(config),
        readEbpfFlipFacts: async () => {
            const calico = await kube.readCalicoObjects(config);
            return ebpfFlipFactsFrom({ ...calico, nodes: calico.nodes ?? [] });
        },
        readCalicoNodes: (since) => kube.readCalicoNodePods(config, since),
        readDeployment: (namespace, name) => kube.readDeploymentRollout(config, namespace, name),
        restartDeployment: (namespace, name, at) =>
            kube.restartDeployment(config, namespace, name, at),
        releaseFelixConfiguration: (manager) => kube.releaseFelixConfiguration(config, manager),
    };
    const clusterGone = (error: unknown) =>
        process.env[DELETE_UNREACHABLE_ENV] === "true" && kube.isUnreachable(error);
    process.stdout.write(`${await runStep(step, cluster, { clusterGone })}\n`);
    return 0;
}

if (require.main === module) {
    runMain(
        "cluster-step",
        main,
        () => 1,
        "node --import tsx tools/cluster-step/cluster-step.ts --help",
    );
}
