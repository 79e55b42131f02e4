/** A benchmark run as recorded, and the results file runs accumulate in. */
import type { Dataplane } from "../../core/dataplane";
import type { CpuLog, CpuUse } from "./cpu";
import type { DataplaneSettings, Fingerprint } from "./fingerprint";
import type { Flow, RequestFlow, ThroughputFlow } from "./flows";
import type { FortioResult } from "./fortio";
import type { IperfResult } from "./iperf";
import type { ProgrammingResult } from "./standing";

interface MeasurementBase {
    /** Standing Services in the run's namespace while it was measured. */
    readonly services: number;
    readonly repetition: number;
    /** Each node's CPU during the measurement, above its idle baseline. */
    readonly clientCpu: CpuUse;
    readonly serverCpu: CpuUse;
}

export interface ThroughputMeasurement extends MeasurementBase {
    readonly flow: ThroughputFlow;
    readonly iperf: IperfResult;
    /** (client + server busy vCPU) / received Gbit/s: the published AKS benchmark's measure. */
    readonly vcpuPerGbps: number;
}

export interface RequestMeasurement extends MeasurementBase {
    readonly flow: RequestFlow;
    readonly fortio: FortioResult;
}

export type Measurement = ThroughputMeasurement | RequestMeasurement;

export interface ProgrammingMeasurement extends ProgrammingResult {
    readonly services: number;
    readonly repetition: number;
}

export interface BenchRun {
    readonly id: string;
    /** The workstation's time at the start: a label, not used in any computation. */
    readonly startedAt: string;
    /** Read from the cluster (Installation and FelixConfiguration), not assumed from config. */
    readonly dataplane: Dataplane;
    readonly dataplaneSettings: DataplaneSettings;
    readonly fingerprint: Fingerprint;
    readonly options: {
        readonly flows: readonly Flow[];
        readonly repeat: number;
        readonly services: readonly number[];
    };
    /** The tools as they reported themselves (iperf3 start.version, fortio Version). */
    readonly toolVersions: {
        readonly iperf3: readonly string[];
        readonly fortio: readonly string[];
    };
    /** Each node's CPU at rest, over a window of its sampler's own clock. */
    readonly baseline: { readonly client: CpuUse; readonly server: CpuUse };
    readonly measurements: readonly Measurement[];
    readonly programming: readonly ProgrammingMeasurement[];
    /** How long creating each batch of standing Services took (workstation clock, a duration). */
    readonly standing: readonly { readonly services: number; readonly createSeconds: number }[];
    /** The samplers' raw counters, so that a later version can recompute the CPU figures. */
    readonly cpuLogs: { readonly client: CpuLog; readonly server: CpuLog };
}

export const RESULTS_VERSION = 2;

export interface ResultsFile {
    readonly version: typeof RESULTS_VERSION;
    readonly runs: readonly BenchRun[];
}

/** The results file's content; an empty file when there is none yet. Older versions are refused. */
export function readResults(text: string | undefined, file: string): ResultsFile {
    if (text === undefined || text.trim() === "") return { version: RESULTS_VERSION, runs: [] };
    let parsed: { version?: unknown; runs?: unknown };
    try {
        parsed = JSON.parse(text) as typeof parsed;
    } catch {
        throw new Error(`${file} is not JSON: move it aside and run again`);
    }
    if (parsed.version === 1) {
        throw new Error(
            `${file} holds version 1 runs (one sample per flow, no fingerprint), which cannot be compared with these: move it aside (mv ${file} ${file.replace(/\.json$/, "")}-v1.json) and run again`,
        );
    }
    if (parsed.version !== RESULTS_VERSION || !Array.isArray(parsed.runs)) {
        throw new Error(
            `${file} is not a version ${RESULTS_VERSION} aks-calico-lab benchmark file: move it aside and run again`,
        );
    }
    return { version: RESULTS_VERSION, runs: parsed.runs as BenchRun[] };
}

export function appendRun(results: ResultsFile, run: BenchRun): ResultsFile {
    if (results.runs.some((r) => r.id === run.id))
        throw new Error(`run ${run.id} is already in the results file`);
    return { version: RESULTS_VERSION, runs: [...results.runs, run] };
}

/** One run per line: raw samples make a run long, and a line per run keeps diffs readable. */
export function formatResults(results: ResultsFile): string {
    const runs = results.runs.map((run) => `    ${JSON.stringify(run)}`).join(",\n");
    return `{\n  "version": ${results.version},\n  "runs": [\n${runs}\n  ]\n}\n`;
}
