/**
 * Runs the Pulumi program under mocks in a child process per call, so one test file can compare
 * several stack configurations (mocks and the module cache are process-global).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { StackValue } from "../../core/project-config";
import {
    APPLIED_AT_ENV,
    CRD_FILE_ENV,
    POWER_STATE_ENV,
    RUN_MARKER,
    SECRET_KEYS_ENV,
    type ProgramRun,
    type Registration,
} from "./mock-program";

export {
    CLUSTER_FQDN,
    EXISTING_AKS_FQDN,
    KUBE_SYSTEM_UID,
    GENERATED_FIELD_MANAGER,
    KUBECONFIG_TEXT,
    LOAD_BALANCER_IP,
    PATCH_APPLIED_AT,
    STACK,
} from "./mock-program";
export type { ProgramRun, ReadRegistration, Registration } from "./mock-program";

/** What the fake cluster holds beyond the stack configuration. */
export interface FakeCluster {
    /** The FelixConfiguration CRD file (YAML) a read of the CRD returns; none by default. */
    readonly felixCrdFile?: string;
    /** When the fake API server says the lab's patches were applied (default PATCH_APPLIED_AT). */
    readonly patchAppliedAt?: string;
    /** The cluster's power state as Azure reports it live (default Running). */
    readonly powerState?: "Running" | "Stopped";
    /** The stack keys whose values were set with `--secret` (none by default). */
    readonly secretKeys?: readonly string[];
}

const run = promisify(execFile);

/** Runs the program as `pulumi up` would on a stack with these values (keys without the project prefix). */
export async function runProgramRaw(
    config: Record<string, StackValue> = {},
    cluster: FakeCluster = {},
): Promise<ProgramRun> {
    const child = join(__dirname, "mock-program.ts");
    const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", child, JSON.stringify(config)],
        {
            maxBuffer: 64 * 1024 * 1024,
            env: {
                ...process.env,
                PULUMI_CONFIG: undefined,
                PULUMI_CONFIG_SECRET_KEYS: undefined,
                [CRD_FILE_ENV]: cluster.felixCrdFile,
                [APPLIED_AT_ENV]: cluster.patchAppliedAt,
                [POWER_STATE_ENV]: cluster.powerState,
                [SECRET_KEYS_ENV]: JSON.stringify(cluster.secretKeys ?? []),
            },
        },
    );
    const line = stdout.split("\n").find((l) => l.startsWith(RUN_MARKER));
    if (line === undefined) throw new Error(`the program run printed no result:\n${stdout}`);
    return JSON.parse(line.slice(RUN_MARKER.length)) as ProgramRun;
}

/** Runs the program and fails the test if the program threw. */
export async function runProgram(
    config: Record<string, StackValue> = {},
    cluster: FakeCluster = {},
): Promise<ProgramRun> {
    const result = await runProgramRaw(config, cluster);
    if (result.error !== undefined) throw new Error(`the program failed: ${result.error}`);
    return result;
}

/** The registrations of one type, in registration order. */
export function ofType(result: ProgramRun, type: string): Registration[] {
    return result.registrations.filter((r) => r.type === type);
}

/** The single registration of a type (and name), failing loudly when there is not exactly one. */
export function find(result: ProgramRun, type: string, name?: string): Registration {
    const matches = ofType(result, type).filter((r) => name === undefined || r.name === name);
    const [only] = matches;
    if (matches.length !== 1 || only === undefined) {
        throw new Error(
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`,
        );
    }
    return only;
}
