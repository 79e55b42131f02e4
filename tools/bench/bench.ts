/**
 * npm run bench: measures the live dataplane (iperf3 throughput and node CPU, fortio RR/CRR,
 * programming latency, each against a number of standing Services), records the run with its
 * fingerprint and renders the comparison of every recorded run.
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
    positiveIntegerOption,
} from "../cli/args";
import { describeError } from "../cli/errors";
import { SYSTEM_CLOCK } from "../cli/poll";
import { progressLine } from "../cli/progress";
import { isOneOf } from "../../core/parse";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";
import { BenchError, type BenchCluster, type BenchOptions } from "./cluster";
import { compare } from "./compare";
import { FLOWS } from "./flows";
import { FORTIO_IMAGE, NETWORK_PERF_IMAGE } from "./images";
import { namespaceName, RUN_LABEL } from "./pods";
import { renderMarkdown } from "./render-markdown";
import { renderSvg } from "./render-svg";
import { appendRun, formatResults, readResults, type BenchRun, type ResultsFile } from "./results";
import { cleanUp, runBench } from "./run";

/** What to measure (as runBench takes it), plus where the cluster and the results are. */
export interface BenchCliOptions extends Omit<BenchOptions, "runId" | "progress" | "clock"> {
    readonly json: boolean;
    readonly stack: string;
    readonly kubeconfigFile?: string;
    readonly kubeconfigEnv?: true;
    readonly resultsFile: string;
}

const MAX_SERVICES = 30_000;

const BENCH_COMMAND: CommandSpec = {
    name: "npm run bench --",
    summary:
        "measures the live Calico dataplane (iperf3 throughput and node CPU, fortio request/response and connect latency, programming latency) against standing Services, and renders the comparison",
    usage: [
        "[--repeat N] [--services LIST] [--duration S] [--flows LIST] [--connections N] [--udp-mbps N]",
        "[--json] [--stack NAME | --kubeconfig FILE | --kubeconfig-env] [--results FILE]",
    ],
    options: {
        repeat: {
            type: "string",
            value: "N",
            default: "3",
            description:
                "rounds of every flow, interleaved; the report gives the median and range, 1 to 50",
        },
        services: {
            type: "string",
            value: "LIST",
            default: "0",
            description: `standing ClusterIP Services to measure against, e.g. 0,1000,5000 (each 0 to ${MAX_SERVICES})`,
        },
        duration: {
            type: "string",
            value: "S",
            default: "30",
            description: "seconds per flow and for the idle baseline, 1 to 600",
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
            default: "4",
            description: "concurrent fortio connections for RR and CRR, 1 to 256",
        },
        "udp-mbps": {
            type: "string",
            value: "N",
            default: "500",
            description: "fixed rate of the UDP flows (iperf3 -b), Mbit/s, 1 to 100000",
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
            "the cluster cannot be measured now (fewer than two Linux nodes, Calico between dataplanes, a leftover benchmark namespace, a failed measurement or cleanup)",
        ],
        [
            2,
            "bad arguments, an unusable results file, no stack outputs, or the API server cannot be reached",
        ],
    ],
    examples: [
        "npm run bench",
        "npm run bench -- --repeat 5 --services 0,1000,5000",
        "npm run bench -- --duration 10 --repeat 1 --flows p2p-tcp,crr",
        "npm run bench -- --kubeconfig ~/.kube/config --json",
    ],
    notes: [
        "Flows: p2p-* go pod to pod, p2s-* pod to the server's ClusterIP Service; rr and crr are",
        "fortio to that Service (crr opens a connection per request, and times the connect). Every",
        "flow runs at the first --services count; at larger counts only crr, the one the Services slow.",
        `Images: ${NETWORK_PERF_IMAGE}`,
        `        ${FORTIO_IMAGE}`,
        "It runs in a namespace of its own (lab-bench-<run>), deleted at the end, on failure and on",
        "Ctrl-C, and waits until it is gone; a second Ctrl-C leaves without waiting.",
    ],
};

function servicesList(raw: string): number[] {
    const items = raw.split(",").map((s) => s.trim());
    const bad = items.filter((s) => !/^(0|[1-9][0-9]*)$/.test(s) || Number(s) > MAX_SERVICES);
    if (bad.length > 0 || items.length === 0) {
        throw new UsageError(
            `--services takes counts from 0 to ${MAX_SERVICES} separated by commas (like 0,1000,5000), not "${bad.join(",") || raw}"`,
        );
    }
    return [...new Set(items.map(Number))].sort((a, b) => a - b);
}

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
        durationSeconds: positiveIntegerOption("duration", option("duration"), 600),
        flows: FLOWS.filter((f) => flows.includes(f)),
        repeat: positiveIntegerOption("repeat", option("repeat"), 50),
        services: servicesList(option("services")),
        connections: positiveIntegerOption("connections", option("connections"), 256),
        udpMbps: positiveIntegerOption("udp-mbps", option("udp-mbps"), 100_000),
        json: flag(line, "json"),
        stack: stringOption(line, "stack") ?? stackName(env),
        ...(kubeconfigFile === undefined ? {} : { kubeconfigFile }),
        ...(flag(line, "kubeconfig-env") ? { kubeconfigEnv: true as const } : {}),
        resultsFile: resolve(projectDir, option("results")),
    };
}

/** The results file as it stands; an unusable one is refused before anything is measured. */
export function loadResults(resultsFile: string): ResultsFile {
    try {
        const text = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : undefined;
        return readResults(text, resultsFile);
    } catch (error) {
        throw new UsageError(describeError(error));
    }
}

/** Appends the run to the results and writes them with the comparison beside them (Markdown and SVG). */
export function recordRun(
    resultsFile: string,
    results: ResultsFile,
    run: BenchRun,
): { markdown: string; files: string[] } {
    const updated = appendRun(results, run);
    const comparison = compare(updated.runs);
    const markdown = renderMarkdown(comparison);
    const dir = dirname(resultsFile);
    mkdirSync(dir, { recursive: true });
    const files = [resultsFile, join(dir, "comparison.md"), join(dir, "comparison.svg")];
    writeFileSync(files[0] as string, formatResults(updated));
    writeFileSync(files[1] as string, markdown);
    writeFileSync(files[2] as string, renderSvg(comparison));
    return { markdown, files };
}

async function connect(options: BenchCliOptions): Promise<BenchCluster> {
    const { readStackOutputs, parseKubeconfigOutput } = await import("../cli/stack-outputs.js");
    const kube = await import("../kube/client.js");
    const config = options.kubeconfigEnv
        ? kube.kubeConfigFromEnv()
        : kube.kubeConfigFromText(
              options.kubeconfigFile === undefined
                  ? await readStackOutputs(options.stack, PROJECT_DIR, parseKubeconfigOutput)
                  : readOptionFile("kubeconfig", options.kubeconfigFile),
          );
    return {
        environment: () => kube.readEnvironmentObjects(config),
        serverVersion: () => kube.serverVersion(config),
        benchNamespaces: () => kube.namespaceNames(config, RUN_LABEL),
        create: (object) => kube.createObjectReturning(config, object),
        waitForPod: (namespace, name, until, timeoutMs) =>
            kube.waitForPod(config, { namespace, name, until, timeoutMs }),
        logs: (namespace, pod, container) => kube.podLog(config, namespace, pod, container),
        deleteNamespace: (name) => kube.deleteNamespace(config, name),
        namespaceExists: (name) => kube.namespaceExists(config, name),
    };
}

async function main(): Promise<number> {
    const options = parseBenchOptions(process.argv.slice(2), PROJECT_DIR);
    if (options === HELP) {
        process.stdout.write(helpText(BENCH_COMMAND));
        return 0;
    }
    const results = loadResults(options.resultsFile);
    const connected = await connect(options);
    // Nothing to clean up until the run has created something (its namespace comes first).
    const made = { anything: false };
    const cluster: BenchCluster = {
        ...connected,
        create: (object) => {
            made.anything = true;
            return connected.create(object);
        },
    };
    const runId = randomBytes(4).toString("hex");
    const line = progressLine();
    let cleaning: Promise<void> | undefined;
    const cleanUpOnce = () => (cleaning ??= cleanUp(cluster, runId, line.update, SYSTEM_CLOCK));
    const onSignal = () => {
        if (!made.anything) process.exit(130);
        if (cleaning !== undefined) {
            line.done();
            process.stderr.write(
                `bench: left without waiting; namespace ${namespaceName(runId)} may remain: kubectl delete namespace ${namespaceName(runId)}\n`,
            );
            process.exit(130);
        }
        line.update("interrupted: cleaning up (Ctrl-C again to leave now)");
        cleanUpOnce().then(
            () => {
                line.done();
                process.exit(130);
            },
            (error: unknown) => {
                line.done();
                process.stderr.write(`bench: ${describeError(error)}\n`);
                process.exit(130);
            },
        );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    let outcome: { markdown: string; files: string[]; run: BenchRun };
    try {
        const {
            json: _json,
            stack: _stack,
            kubeconfigFile: _file,
            kubeconfigEnv: _env,
            resultsFile,
            ...what
        } = options;
        const run = await runBench(cluster, {
            ...what,
            runId,
            progress: line.update,
            clock: SYSTEM_CLOCK,
        });
        outcome = { ...recordRun(resultsFile, results, run), run };
    } catch (error) {
        if (made.anything) {
            await cleanUpOnce().catch((cleanupError: unknown) => {
                process.stderr.write(`bench: ${describeError(cleanupError)}\n`);
            });
        }
        line.done();
        const kube = await import("../kube/client.js");
        if (kube.isUnreachable(error)) {
            throw new Error("cannot reach the cluster's API server", { cause: error });
        }
        throw error;
    }
    await cleanUpOnce();
    line.done();
    process.stdout.write(
        options.json
            ? `${JSON.stringify(outcome.run, null, 2)}\n`
            : `${outcome.markdown}\nwritten: ${outcome.files.join(", ")}\n`,
    );
    return 0;
}

if (require.main === module) {
    runMain("bench", main, (error) => (error instanceof BenchError ? 1 : 2));
}
