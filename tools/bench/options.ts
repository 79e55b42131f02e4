/**
 * bench's command line: the one definition of its options and their limits, used by bench and by
 * `npm run lab -- study`, which checks the bench options it passes on before anything runs.
 */
import { resolve } from "node:path";
import {
    flag,
    HELP,
    parseCommandLine,
    positiveIntegerOption,
    stringOption,
    UsageError,
    type CommandSpec,
} from "../cli/args";
import { stackOption } from "../cli/project";
import { isOneOf } from "../../core/parse";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";
import type { BenchOptions } from "./cluster";
import { FLOWS } from "./flows";
import { FORTIO_IMAGE, NETWORK_PERF_IMAGE } from "./images";

/** What to measure (as runBench takes it), plus where the cluster and the results are. */
export interface BenchCliOptions extends Omit<BenchOptions, "runId" | "progress" | "clock"> {
    readonly json: boolean;
    readonly stack: string;
    readonly kubeconfigFile?: string;
    readonly kubeconfigEnv?: true;
    readonly resultsFile: string;
}

const MAX_SERVICES = 30_000;

export const BENCH_COMMAND: CommandSpec = {
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
        stack: stackOption(stringOption(line, "stack"), env),
        ...(kubeconfigFile === undefined ? {} : { kubeconfigFile }),
        ...(flag(line, "kubeconfig-env") ? { kubeconfigEnv: true as const } : {}),
        resultsFile: resolve(projectDir, option("results")),
    };
}
