/**
 * npm run bench: measures the live dataplane the way Tigera's AKS benchmark did (k8s-bench-suite:
 * iperf3 between pods on two nodes, node CPU), records the run and renders the comparison.
 *
 *   npm run bench [-- --duration 30] [--flows p2p-tcp,p2p-udp,p2s-tcp,p2s-udp,latency]
 *                 [--connections 200] [--json] [--stack dev | --kubeconfig FILE] [--results FILE]
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { runMain } from "../cli/main";
import { PROJECT_DIR, stackName } from "../cli/project";
import {
    flag,
    HELP,
    helpText,
    parseCommandLine,
    readOptionFile,
    stringOption,
    UsageError,
    type CommandSpec,
} from "../cli/args";
import { describeError } from "../cli/errors";
import { SYSTEM_CLOCK } from "../cli/poll";
import { progressLine } from "../cli/progress";
import { namespaceName } from "./pods";
import { renderMarkdown, renderSvg } from "./render";
import { appendRun, compare, FLOWS, type BenchRun, type Flow } from "./results";
import { BenchError, cleanUp, runBench, type BenchCluster } from "./run";
import { isOneOf, positiveInteger } from "../../core/parse";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";

export interface BenchCliOptions {
    readonly durationSeconds: number;
    readonly flows: readonly Flow[];
    readonly connections: number;
    readonly json: boolean;
    readonly stack: string;
    readonly kubeconfigFile?: string;
    readonly kubeconfigEnv?: true;
    readonly resultsFile: string;
}

export const BENCH_COMMAND: CommandSpec = {
    name: "npm run bench --",
    summary:
        "measures the live Calico dataplane (iperf3 pod-to-pod and pod-to-service, TCP connect latency, node CPU) and renders the comparison",
    usage: [
        "[--duration S] [--flows LIST] [--connections N] [--json] [--stack NAME | --kubeconfig FILE] [--results FILE]",
    ],
    options: {
        duration: {
            type: "string",
            value: "S",
            default: "30",
            description: "seconds per iperf3 flow, 1 to 600",
        },
        flows: {
            type: "string",
            value: "LIST",
            default: FLOWS.join(","),
            description: "which flows to run",
        },
        connections: {
            type: "string",
            value: "N",
            default: "200",
            description: "sequential TCP connects for the latency flow, 1 to 10000",
        },
        json: { type: "boolean", description: "print the run as JSON" },
        stack: {
            type: "string",
            value: "NAME",
            description: "the lab's stack ($LAB_STACK, else dev)",
        },
        kubeconfig: {
            type: "string",
            value: "FILE",
            description: "measure the cluster of this kubeconfig instead",
        },
        "kubeconfig-env": {
            type: "boolean",
            description: `take the kubeconfig from $${KUBECONFIG_ENV} (as npm run lab -- study passes it)`,
        },
        results: {
            type: "string",
            value: "FILE",
            default: "bench-results/results.json",
            description:
                "where runs accumulate; comparison.md and comparison.svg are written beside it",
        },
    },
    exitCodes: [
        [0, "measured and recorded"],
        [
            1,
            "the cluster cannot be measured now (fewer than two Linux nodes, Calico between dataplanes, a failed pod)",
        ],
        [2, "bad arguments, no stack outputs, or the API server cannot be reached"],
    ],
    examples: [
        "npm run bench",
        "npm run bench -- --duration 10 --flows p2p-tcp,latency",
        "npm run bench -- --kubeconfig ~/.kube/config --json",
    ],
    notes: [
        "It runs in a namespace of its own (lab-bench-<run>), deleted on success, failure and Ctrl-C.",
    ],
};

const positive = (name: string, raw: string, max: number): number => {
    const value = positiveInteger(raw, max);
    if (value === undefined) {
        throw new UsageError(`--${name} must be an integer from 1 to ${max}, not "${raw}"`);
    }
    return value;
};

export function parseBenchOptions(
    argv: readonly string[],
    projectDir: string,
    env: NodeJS.ProcessEnv = process.env,
): BenchCliOptions | typeof HELP {
    const line = parseCommandLine(BENCH_COMMAND, argv);
    if (line === HELP) return HELP;
    const option = (name: string) => stringOption(line, name) ?? "";
    const flows = option("flows")
        .split(",")
        .map((f) => f.trim())
        .filter((f) => f !== "");
    const unknown = flows.filter((f) => !isOneOf(FLOWS, f));
    if (unknown.length > 0 || flows.length === 0) {
        throw new UsageError(
            `--flows takes ${FLOWS.join(", ")}; not ${unknown.join(", ") || "nothing"}`,
        );
    }
    const kubeconfigFile = stringOption(line, "kubeconfig");
    return {
        durationSeconds: positive("duration", option("duration"), 600),
        flows: [...new Set(flows)] as Flow[],
        connections: positive("connections", option("connections"), 10_000),
        json: flag(line, "json"),
        stack: stringOption(line, "stack") ?? stackName(env),
        ...(kubeconfigFile === undefined ? {} : { kubeconfigFile }),
        ...(flag(line, "kubeconfig-env") ? { kubeconfigEnv: true as const } : {}),
        resultsFile: resolve(projectDir, option("results")),
    };
}

/** Appends the run to the results file and writes the comparison next to it (Markdown and SVG). */
export function recordRun(
    resultsFile: string,
    run: BenchRun,
): { markdown: string; files: string[] } {
    const existing = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : undefined;
    const results = appendRun(existing, run);
    const comparison = compare(results.runs);
    const markdown = renderMarkdown(comparison);
    const dir = dirname(resultsFile);
    mkdirSync(dir, { recursive: true });
    const files = [resultsFile, join(dir, "comparison.md"), join(dir, "comparison.svg")];
    writeFileSync(files[0] as string, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(files[1] as string, markdown);
    writeFileSync(files[2] as string, renderSvg(comparison));
    return { markdown, files };
}

async function main(): Promise<number> {
    const projectDir = PROJECT_DIR;
    const options = parseBenchOptions(process.argv.slice(2), projectDir);
    if (options === HELP) {
        process.stdout.write(helpText(BENCH_COMMAND));
        return 0;
    }
    const { readStackOutputs, parseKubeconfigOutput } = await import("../cli/stack-outputs.js");
    const kube = await import("../kube/client.js");
    const config = options.kubeconfigEnv
        ? kube.kubeConfigFromEnv()
        : kube.kubeConfigFromText(
              options.kubeconfigFile === undefined
                  ? await readStackOutputs(options.stack, projectDir, parseKubeconfigOutput)
                  : readOptionFile("kubeconfig", options.kubeconfigFile),
          );
    const cluster: BenchCluster = {
        nodes: () => kube.listNodes(config),
        calicoObjects: () => kube.readCalicoObjects(config),
        create: (object) => kube.createObject(config, object),
        waitForPod: (namespace, name, phase, timeoutMs) =>
            kube.waitForPod(config, { namespace, name, phase, timeoutMs }),
        serviceClusterIp: (namespace, name) => kube.serviceClusterIp(config, namespace, name),
        logs: (namespace, pod, container) => kube.podLog(config, namespace, pod, container),
        deleteNamespace: (name) => kube.deleteNamespace(config, name),
    };

    const runId = randomBytes(4).toString("hex");
    const line = progressLine();
    const cleanUpOnce = (() => {
        let done: Promise<void> | undefined;
        return () =>
            (done ??= cleanUp(cluster, runId, line.update).catch((error: unknown) => {
                process.stderr.write(
                    `bench: could not delete namespace ${namespaceName(runId)}: ${describeError(error)}\n`,
                );
            }));
    })();
    process.once("SIGINT", () => {
        line.update("interrupted: cleaning up");
        void cleanUpOnce().finally(() => {
            line.done();
            process.exit(130);
        });
    });
    let run: BenchRun;
    try {
        run = await runBench(cluster, {
            runId,
            durationSeconds: options.durationSeconds,
            flows: options.flows,
            latencyConnections: options.connections,
            progress: line.update,
            clock: SYSTEM_CLOCK,
        });
    } finally {
        await cleanUpOnce();
        line.done();
    }
    const { markdown, files } = recordRun(options.resultsFile, run);
    process.stdout.write(
        options.json
            ? `${JSON.stringify(run, null, 2)}\n`
            : `${markdown}\nwritten: ${files.join(", ")}\n`,
    );
    return 0;
}

if (require.main === module) {
    runMain("bench", main, (error) => (error instanceof BenchError ? 1 : 2));
}
