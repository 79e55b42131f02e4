/**
 * The lab as a user runs it, on the cluster tier: a copy of the project (so stack files and state
 * stay in a scratch folder), the real CLI, a local file backend and a passphrase from the
 * environment. Each operation runs in a process of its own (pulumi-op.ts); `npm run verify` runs
 * as the user's own command, tools/verify/verify.ts in the project copy, with this Node and tsx.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { OpRequest, OpResult, StepOutput } from "./pulumi-op";

const REPO = resolve(__dirname, "../../..");
/** What the program needs to run: the project, its code, and the step tool it spawns. */
const PROJECT_FILES = [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    "index.ts",
    "components",
    "core",
    "tools",
];

export interface LabRun {
    readonly workDir: string;
    /**
     * Runs one operation; config is set on the stack first; env adds to the run's variables;
     * `refresh` is up's and preview's `--refresh`.
     */
    op(
        op: OpRequest["op"],
        config?: ConfigMap,
        env?: Readonly<Record<string, string>>,
        refresh?: boolean,
    ): Promise<OpResult>;
    /** The state folder (the file backend's). */
    readonly stateDir: string;
    /** The operations an interrupted run left pending in the stack, `<type> <urn>`. */
    pending(): Promise<readonly string[]>;
    /** What `npm run lab -- up` does to pending operations before it updates: the lines it reports. */
    settlePending(): Promise<readonly string[]>;
    /** What each switch step printed last, from the stack's state. */
    stepOutputs(): Promise<readonly StepOutput[]>;
    /** `npm run verify -- <args>` in the project copy: its exit code and what it printed. */
    verify(args: readonly string[]): Promise<ToolRun>;
}

export interface ToolRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

export function labRun(options: {
    readonly scratch: string;
    readonly binDir: string;
    readonly stack: string;
    /** Extra variables for the CLI and what it starts, e.g. the steps' deadline. */
    readonly env?: Readonly<Record<string, string>>;
}): LabRun {
    const workDir = join(options.scratch, "project");
    mkdirSync(workDir, { recursive: true });
    for (const file of PROJECT_FILES)
        cpSync(join(REPO, file), join(workDir, file), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(workDir, "node_modules"));
    const home = join(options.scratch, "pulumi-home");
    const state = join(options.scratch, "state");
    mkdirSync(state, { recursive: true });
    const env: Record<string, string> = {
        PATH: `${options.binDir}${delimiter}${process.env["PATH"] ?? ""}`,
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
        // No plugin is ever downloaded: the providers are the ones built from their Go modules, on PATH.
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
        ...options.env,
    };
    const request = (
        op: OpRequest["op"],
        config?: ConfigMap,
        extra?: Readonly<Record<string, string>>,
        refresh?: boolean,
    ) =>
        runOp({
            workDir,
            binDir: options.binDir,
            stack: options.stack,
            op,
            config,
            env: { ...env, ...extra },
            refresh,
        });
    return {
        workDir,
        stateDir: state,
        op: request,
        stepOutputs: async () => (await request("steps")).steps ?? [],
        pending: async () => (await request("pending")).pending ?? [],
        settlePending: async () => {
            const result = await request("settle");
            if (!result.ok) throw new Error(`settling pending operations: ${result.error ?? ""}`);
            return result.lines ?? [];
        },
        // package.json's `verify` script: `node --import tsx tools/verify/verify.ts` after a Node version check.
        verify: (args) => runTool(workDir, join("tools", "verify", "verify.ts"), args),
    };
}

function runTool(cwd: string, script: string, args: readonly string[]): Promise<ToolRun> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
            cwd,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
        });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
        });
        child.on("error", reject);
        child.on("close", (code) => {
            resolvePromise({ code, stdout, stderr });
        });
    });
}

function runOp(request: OpRequest): Promise<OpResult> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(
            process.execPath,
            ["--import", "tsx", join(__dirname, "pulumi-op.ts")],
            {
                cwd: REPO,
                env: { ...process.env, ...request.env },
                stdio: ["pipe", "pipe", "inherit"],
            },
        );
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString("utf8");
        });
        child.on("error", reject);
        child.on("close", (code) => {
            const line = out.trim().split("\n").pop() ?? "";
            try {
                resolvePromise(JSON.parse(line) as OpResult);
            } catch {
                reject(
                    new Error(
                        `pulumi-op exited ${String(code)} without a result: ${out.slice(-2000)}`,
                    ),
                );
            }
        });
        child.stdin.end(JSON.stringify(request));
    });
}
