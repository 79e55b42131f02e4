/**
 * npm run verify: proves which Calico dataplane is live and which source IP the yaobank app sees.
 *
 *   npm run verify [-- --stack dev] [--json] [--timeout-seconds 180]
 *   npm run verify -- --kubeconfig ~/.kube/config --url http://20.1.2.3/ --expect bpf
 *
 * Exit status: 0 when the observed behaviour matches the dataplane, 1 when it does not, 2 when
 * the verification itself could not run (no stack, unreachable API server, no answer).
 */
import { randomBytes } from "node:crypto";
import { DATAPLANES, type Dataplane } from "../../core/dataplane";
import { pendingSwitch } from "../../core/convergence";
import { ENTRY_TIER, NAMESPACE } from "../../components/yaobank/yaobank-spec";
import { findMarked, MARKER_PARAMETER, parseAccessLog, type AccessLogEntry } from "./access-log";
import {
    calicoSnapshotFrom,
    liveDataplane,
    nodeInternalIps,
    type CalicoObjects,
} from "../kube/cluster-objects";
import { environmentFrom, type EnvironmentObjects } from "../kube/environment";
import type { CalicoNodePod } from "../../core/felix-log";
import { checkHealthzPort, HEALTHZ_LOG_WINDOW_SECONDS, type HealthzCheck } from "./healthz-port";
import { probeUntilAnswered } from "./http-probe";
import { clientAllowed as policyClientAllowed, policyFacts } from "./policy-facts";
import { runMain } from "../cli/main";
import { PROJECT_DIR, stackOption } from "../cli/project";
import {
    flag,
    HELP,
    helpText,
    parseCommandLine,
    readOptionFile,
    stringOption,
    UsageError,
    type CommandSpec,
    positiveIntegerOption,
} from "../cli/args";
import { describeError } from "../cli/errors";
import { pollUntil, SYSTEM_CLOCK, type Clock } from "../cli/poll";
import { progressLine } from "../cli/progress";
import { renderReport, type Report } from "./report";
import { judge } from "./verdict";
import { isOneOf } from "../../core/parse";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";

/** The cluster reads of a verification; @kubernetes/client-node for real, recorded objects in tests. */
export interface VerifyCluster {
    calicoObjects(): Promise<CalicoObjects>;
    /** What the environment is read from, the nodes among it. */
    environmentObjects(): Promise<EnvironmentObjects>;
    customerLogs(sinceSeconds: number): Promise<{ pod: string; text: string }[]>;
    /** The NetworkPolicies in namespace yaobank. */
    networkPolicies(): Promise<unknown[]>;
    /** calico-node's pods, each with its log from `since` on (kubelet timestamps on). */
    calicoNodes(since: Date): Promise<CalicoNodePod[]>;
}

export interface VerifyInput {
    readonly url: string;
    readonly expected: Dataplane;
    /** How long the HTTP probe may retry. */
    readonly probeTimeoutMs: number;
    /** How long to look for the request in the logs once it was answered. */
    readonly logTimeoutMs: number;
    readonly marker?: string;
}

export interface VerifyDeps {
    readonly cluster: VerifyCluster;
    readonly progress?: (line: string) => void;
    readonly clock?: Clock;
    readonly intervalMs?: number;
}

export class VerifyError extends Error {
    override name = "VerifyError";
}

/** Runs the checks and returns the report; throws VerifyError when it cannot verify at all. */
export async function verify(input: VerifyInput, deps: VerifyDeps): Promise<Report> {
    const progress = deps.progress ?? (() => undefined);
    const clock = deps.clock ?? SYSTEM_CLOCK;
    const intervalMs = deps.intervalMs ?? 3000;
    const started = clock.now();

    progress("reading Calico's state");
    const [objects, environmentObjects, rawPolicies] = await Promise.all([
        deps.cluster.calicoObjects(),
        deps.cluster.environmentObjects(),
        deps.cluster.networkPolicies(),
    ]).catch((error: unknown) => {
        throw new VerifyError(`cannot read the cluster's API server: ${describeError(error)}`);
    });
    const policies = policyFacts(rawPolicies);
    const snapshot = calicoSnapshotFrom(objects);
    const live = liveDataplane(snapshot);
    const nodeIps = nodeInternalIps(environmentObjects.nodes);
    const environment = environmentFrom(environmentObjects);
    const healthz = live === "bpf" ? await healthzPort(deps, environment, clock) : undefined;

    const marker = input.marker ?? randomBytes(6).toString("hex");
    const url = new URL(input.url);
    url.searchParams.set(MARKER_PARAMETER, marker);
    progress(`requesting ${url.toString()}`);
    const answer = await probeUntilAnswered(url.toString(), {
        timeoutMs: input.probeTimeoutMs,
        intervalMs,
        requestTimeoutMs: 10_000,
        clock,
        onAttempt: (attempt, outcome) => {
            progress(`request ${attempt}: ${outcome}`);
        },
    }).catch((error: unknown) => {
        const allowList =
            policies.allowList === undefined
                ? ""
                : `; the page only lets in ${policies.allowList.join(", ")} (allowedClientCidrs): ` +
                  "if this machine's address is outside, no answer is what the policy promises";
        throw new VerifyError(`${describeError(error)}${allowList}`);
    });

    progress("looking for the request in the customer pods' logs");
    let seen: AccessLogEntry[] = [];
    const search = await pollUntil<AccessLogEntry>(
        async () => {
            const sinceSeconds = Math.ceil((clock.now() - started) / 1000) + 60;
            const logs = await deps.cluster.customerLogs(sinceSeconds).catch((error: unknown) => {
                throw new VerifyError(
                    `cannot read the customer pods' logs: ${describeError(error)}`,
                );
            });
            seen = logs.flatMap((log) => parseAccessLog(log.text));
            const entry = findMarked(seen, marker);
            return entry === undefined
                ? { done: false, pending: ["the marked request in the log"] }
                : { done: true, value: entry };
        },
        { timeoutMs: input.logTimeoutMs, intervalMs, clock },
    );
    const found = search.value;

    const clientAllowed =
        policies.allowList !== undefined && live === "bpf" && found !== undefined
            ? policyClientAllowed(rawPolicies, found.sourceIp)
            : undefined;
    const verdict = judge({
        expected: input.expected,
        live,
        pending: live === input.expected ? pendingSwitch(live, snapshot) : [],
        nftablesMode: snapshot.felixNftablesMode,
        healthzProblem: healthz?.problem,
        httpStatus: answer.status,
        nodeIps,
        sourceIp: found?.sourceIp,
        clientAllowed,
    });
    return {
        expected: input.expected,
        live: live ?? "unknown",
        url: url.toString(),
        httpStatus: answer.status,
        attempts: answer.attempts,
        sourceIp: found?.sourceIp,
        sourceKind: verdict.sourceKind,
        nodeIps,
        policies: policies.names,
        ...(policies.allowList === undefined ? {} : { allowList: policies.allowList }),
        ...(clientAllowed === undefined ? {} : { clientAllowed }),
        ok: verdict.ok,
        summary: verdict.summary,
        environment,
        ...(healthz === undefined ? {} : { healthz }),
        ...(found === undefined
            ? {
                  logSearch: {
                      waitedSeconds: Math.round(search.elapsedMs / 1000),
                      entriesSeen: seen.length,
                      sourcesSeen: [...new Set(seen.map((e) => e.sourceIp))],
                  },
              }
            : {}),
    };
}

/** Under eBPF: who serves kube-proxy's health port on each node, from calico-node's recent logs. */
async function healthzPort(
    deps: VerifyDeps,
    environment: ReturnType<typeof environmentFrom>,
    clock: Clock,
): Promise<HealthzCheck> {
    deps.progress?.("reading calico-node's logs for Felix's kube-proxy health server");
    const now = clock.now();
    const pods = await deps.cluster
        .calicoNodes(new Date(now - HEALTHZ_LOG_WINDOW_SECONDS * 1000))
        .catch((error: unknown) => {
            throw new VerifyError(`cannot read calico-node's logs: ${describeError(error)}`);
        });
    return checkHealthzPort(environment, pods, now);
}

/** A day: a wait far beyond any rollout, and well inside what Node's timers can count (2^31 - 1 ms). */
const MAX_TIMEOUT_SECONDS = 86_400;

const VERIFY_COMMAND: CommandSpec = {
    name: "npm run verify --",
    summary:
        "proves which Calico dataplane is live and which source IP the yaobank app sees, against the stack's outputs",
    usage: [
        "[--stack NAME] [--json] [--timeout-seconds N]",
        "--kubeconfig FILE --url URL --expect iptables|bpf [--json] [--timeout-seconds N]",
    ],
    options: {
        stack: {
            type: "string",
            value: "NAME",
            description: "the lab's stack ($LAB_STACK, else dev)",
        },
        json: { type: "boolean", description: "print the report as JSON" },
        "timeout-seconds": {
            type: "string",
            value: "N",
            default: "180",
            description: `how long to retry the URL while the load balancer or a rollout settles (at most ${MAX_TIMEOUT_SECONDS})`,
        },
        kubeconfig: {
            type: "string",
            value: "FILE",
            description: "verify a cluster by hand: its kubeconfig (with --url and --expect)",
        },
        "kubeconfig-env": {
            type: "boolean",
            description: `take the kubeconfig from $${KUBECONFIG_ENV} instead of a file (as npm run lab -- study passes it)`,
        },
        url: { type: "string", value: "URL", description: "the yaobank URL (with --kubeconfig)" },
        expect: {
            type: "string",
            value: DATAPLANES.join("|"),
            description: "the dataplane that should be live (with --kubeconfig)",
        },
    },
    exitCodes: [
        [0, "the app's behaviour matches the dataplane"],
        [1, "it does not (the report says why)"],
        [2, "it could not verify: bad arguments, no stack outputs, unreachable API server or URL"],
    ],
    examples: [
        "npm run verify",
        "npm run verify -- --json",
        "npm run verify -- --kubeconfig ~/.kube/config --url http://20.81.12.34/ --expect bpf",
    ],
    notes: [
        "Without --kubeconfig it reads the stack's outputs with the Pulumi CLI, which may ask for the passphrase.",
    ],
};

interface Options {
    readonly stack: string;
    readonly json: boolean;
    readonly timeoutSeconds: number;
    readonly kubeconfigFile?: string;
    readonly kubeconfigEnv?: true;
    readonly url?: string;
    readonly expect?: Dataplane;
}

export function parseOptions(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
): Options | typeof HELP {
    const line = parseCommandLine(VERIFY_COMMAND, argv);
    if (line === HELP) return HELP;
    const timeout = stringOption(line, "timeout-seconds") ?? "";
    const timeoutSeconds = positiveIntegerOption("timeout-seconds", timeout, MAX_TIMEOUT_SECONDS);
    const expect = stringOption(line, "expect");
    if (expect !== undefined && !isOneOf(DATAPLANES, expect)) {
        throw new UsageError(`--expect must be one of ${DATAPLANES.join(", ")}, not "${expect}"`);
    }
    const kubeconfigFile = stringOption(line, "kubeconfig");
    const kubeconfigEnv = flag(line, "kubeconfig-env");
    if (kubeconfigEnv && kubeconfigFile !== undefined)
        throw new UsageError("--kubeconfig and --kubeconfig-env exclude each other");
    const url = stringOption(line, "url");
    const byHand = [kubeconfigEnv || kubeconfigFile, url, expect].filter(
        (v) => v !== undefined,
    ).length;
    if (byHand !== 0 && byHand !== 3) {
        throw new UsageError(
            "--kubeconfig, --url and --expect go together (they replace the stack's outputs)",
        );
    }
    if (url !== undefined && !/^https?:\/\//.test(url)) {
        throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
    }
    return {
        stack: stackOption(stringOption(line, "stack"), env),
        json: flag(line, "json"),
        timeoutSeconds,
        ...(kubeconfigFile === undefined ? {} : { kubeconfigFile }),
        ...(kubeconfigEnv ? { kubeconfigEnv } : {}),
        ...(url === undefined ? {} : { url }),
        ...(expect === undefined ? {} : { expect }),
    };
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    if (options === HELP) {
        process.stdout.write(helpText(VERIFY_COMMAND));
        return 0;
    }
    const projectDir = PROJECT_DIR;
    const { readStackOutputs } = await import("../cli/stack-outputs.js");
    const outputs =
        options.url !== undefined && options.expect !== undefined
            ? {
                  kubeconfig:
                      options.kubeconfigFile === undefined
                          ? undefined
                          : readOptionFile("kubeconfig", options.kubeconfigFile),
                  yaobankUrl: options.url,
                  dataplane: options.expect,
              }
            : await readStackOutputs(options.stack, projectDir);

    const kube = await import("../kube/client.js");
    const config =
        outputs.kubeconfig === undefined
            ? kube.kubeConfigFromEnv()
            : kube.kubeConfigFromText(outputs.kubeconfig);
    const cluster: VerifyCluster = {
        calicoObjects: () => kube.readCalicoObjects(config),
        environmentObjects: () => kube.readEnvironmentObjects(config),
        networkPolicies: () => kube.listNetworkPolicies(config, NAMESPACE),
        calicoNodes: (since) => kube.readCalicoNodePods(config, since),
        customerLogs: (sinceSeconds) =>
            kube.podLogs(config, {
                namespace: NAMESPACE,
                labelSelector: `app=${ENTRY_TIER.name}`,
                container: ENTRY_TIER.name,
                sinceSeconds,
            }),
    };
    const line = progressLine();
    try {
        const report = await verify(
            {
                url: outputs.yaobankUrl,
                expected: outputs.dataplane,
                probeTimeoutMs: options.timeoutSeconds * 1000,
                logTimeoutMs: 60_000,
            },
            { cluster, progress: line.update },
        );
        line.done();
        process.stdout.write(
            options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report),
        );
        return report.ok ? 0 : 1;
    } finally {
        line.done();
    }
}

if (require.main === module) {
    runMain("verify", main, () => 2);
}
