/**
 * npm run bench: measures the live dataplane (iperf3 throughput and node CPU, fortio RR/CRR,
 * programming latency, each against a number of standing Services), records the run with its
 * fingerprint and renders the comparison of every recorded run.
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runMain } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";
import { HELP, helpText, readOptionFile, UsageError } from "../cli/args";
import { describeError } from "../cli/errors";
import { SYSTEM_CLOCK } from "../cli/poll";
import { progressLine } from "../cli/progress";
import { BenchError, type BenchCluster } from "./cluster";
import { compare } from "./compare";
import { BENCH_COMMAND, parseBenchOptions, type BenchCliOptions } from "./options";
import { namespaceName, RUN_LABEL } from "./pods";
import { renderMarkdown } from "./render-markdown";
import { renderSvg } from "./render-svg";
import { appendRun, formatResults, readResults, type BenchRun, type ResultsFile } from "./results";
import { cleanUp, runBench } from "./run";

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
