/**
 * The lab's stack as the tools reach it: a workspace on the project folder with the local state
 * backend, a stack that read-only commands only ever select, and the passphrase asked for once.
 * The Automation API sits behind LabWorkspace (tools/cli/automation.ts); tests use a recording fake.
 */
import type { StackState } from "./pending-operations";
import type { ConfigMap, ConfigValue, OutputMap } from "@pulumi/pulumi/automation";
import { askPassphrase } from "./passphrase";
import { explained, PulumiCommandFailure } from "./pulumi-errors";

export type { ConfigMap, ConfigValue, OutputMap };

/** How an engine operation talks to the user. */
export interface OperationOptions {
    readonly onOutput: (text: string) => void;
    /** "always" on a terminal, "never" in CI and pipes. */
    readonly color: "always" | "never";
    /** Aborting sends the CLI one SIGINT: its graceful cancel. */
    readonly signal: AbortSignal;
}

export interface LabStack extends StackState {
    readonly name: string;
    /** `up` without a preview or a question: the study's, which the user asked for by running it. */
    up(options: OperationOptions): Promise<OutputMap>;
    destroy(options: OperationOptions): Promise<void>;
    /**
     * Runs the CLI itself on this stack with the user's terminal (`args` then `--stack NAME`), so that
     * it previews and asks as `pulumi up` does; aborting `signal` sends it one SIGINT. Resolves with its exit code.
     */
    run(args: readonly string[], signal: AbortSignal): Promise<number>;
    /** Every output with its value; secrets in clear, in memory only. */
    outputs(): Promise<OutputMap>;
    getConfig(key: string, path: boolean): Promise<ConfigValue>;
    allConfig(): Promise<ConfigMap>;
    /** A secret value goes to the CLI on its stdin, never in its argv. */
    setConfig(key: string, value: ConfigValue, path: boolean): Promise<void>;
    removeConfig(key: string, path: boolean): Promise<void>;
}

export interface LabWorkspace {
    /** Config keys of Pulumi.<stack>.yaml as the file has them (secure values stay encrypted); no CLI run. */
    stackFileConfig(stack: string): Promise<Readonly<Record<string, unknown>>>;
    /** `stack select`; undefined when the backend has no such stack. Needs no passphrase. */
    selectStack(name: string): Promise<LabStack | undefined>;
    /** `stack init --secrets-provider passphrase`. */
    createStack(name: string): Promise<LabStack>;
    /** Adds variables to the environment of every later CLI run. */
    addEnv(vars: Readonly<Record<string, string>>): void;
}

/**
 * The backend the tools use: $PULUMI_BACKEND_URL when set, else the project's state folder (what
 * Pulumi.yaml names, made absolute: the CLI resolves a relative file:// path against its working
 * directory, pulumi/pulumi v3.259.0 pkg/backend/diy/backend.go massageBlobPath).
 */
export function backendEnv(
    env: NodeJS.ProcessEnv,
    stateDir: string,
): { readonly PULUMI_BACKEND_URL: string; readonly local: boolean } {
    const url = env["PULUMI_BACKEND_URL"];
    return url !== undefined && url !== ""
        ? { PULUMI_BACKEND_URL: url, local: false }
        : { PULUMI_BACKEND_URL: `file://${stateDir}`, local: true };
}

/** The state folder when the backend is a local one (the lab's default, or a `file://` URL). */
export function localStateDir(env: NodeJS.ProcessEnv, stateDir: string): string | undefined {
    const backend = backendEnv(env, stateDir);
    if (backend.local) return stateDir;
    const url = backend.PULUMI_BACKEND_URL;
    return url.startsWith("file://") ? url.slice("file://".length) : undefined;
}

export interface OpenRequest {
    readonly stack: string;
    /** Whether a missing stack is created (up, preview, config set); read-only commands never create one. */
    readonly create: boolean;
}

export interface Terminal {
    readonly env: NodeJS.ProcessEnv;
    readonly interactive: boolean;
    readonly ask: (question: string) => Promise<string>;
}

/** Selects (or, when allowed, creates) the stack, with its passphrase in the CLI's environment. */
export async function openStack(
    workspace: LabWorkspace,
    request: OpenRequest,
    terminal: Terminal,
): Promise<{ readonly stack: LabStack; readonly created: boolean }> {
    const existing = await explained(request.stack, () => workspace.selectStack(request.stack));
    if (existing === undefined && !request.create) {
        throw new PulumiCommandFailure({
            kind: "no-stack",
            line: `there is no stack ${request.stack} yet: \`npm run lab -- up\` creates it`,
        });
    }
    const passphrase = await askPassphrase(request.stack, existing === undefined, terminal);
    if (passphrase !== undefined) workspace.addEnv({ PULUMI_CONFIG_PASSPHRASE: passphrase });
    if (existing !== undefined) return { stack: existing, created: false };
    const stack = await explained(request.stack, () => workspace.createStack(request.stack));
    return { stack, created: true };
}

/** The plain values of a stack's outputs (secrets included, in memory). */
export function outputValues(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}
