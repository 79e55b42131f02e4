/**
 * Runs the Pulumi program under mocks, in this process (mock-program.ts): one test file can compare
 * several stack configurations, and a run costs the program's evaluation, not a Node process.
 */
import type { StackValue } from "../../core/project-config";
import {
    runProgramInProcess,
    type FakeCluster,
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
export type { FakeCluster, ProgramRun, ReadRegistration, Registration } from "./mock-program";

/** Runs the program as `pulumi up` would on a stack with these values (keys without the project prefix). */
export function runProgramRaw(
    config: Record<string, StackValue> = {},
    cluster: FakeCluster = {},
): Promise<ProgramRun> {
    return runProgramInProcess(config, cluster);
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
