/**
 * The one place that calls Pulumi's Automation API (@pulumi/pulumi/automation 3.270.0): finding or
 * installing the CLI, a LocalWorkspace on the project folder, and the stack's operations.
 * Everything that decides something lives in the modules that use these interfaces.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, delimiter } from "node:path";
import {
    LocalWorkspace,
    PulumiCommand,
    Stack,
    StackNotFoundError,
    type ConfigValue,
} from "@pulumi/pulumi/automation";
import { SemVer } from "semver";
import { cliCacheRoot, findPulumiCli, PINNED_CLI_VERSION, type CliInstaller } from "./pulumi-cli";
import { systemTerminal } from "./terminal";
import {
    backendEnv,
    openStack,
    type LabStack,
    type LabWorkspace,
    type OpenRequest,
    type OperationOptions,
} from "./pulumi-stack";

// PulumiCommand.get/install need a semver.SemVer: a string breaks its `.major`/`.compare` (automation/cmd.js).
const pinned = new SemVer(PINNED_CLI_VERSION);

/** Where PulumiCommand.install gets the installer (@pulumi/pulumi 3.276.0 automation/cmd.js installPosix). */
const INSTALL_SCRIPT_URL = "https://get.pulumi.com/install.sh";

/**
 * The SDK reports a failed download as `Failed to download …: fetch failed` and drops fetch's cause
 * (automation/download.js): asking once more finds it (DNS, refused, a proxy's certificate).
 */
export async function withDownloadCause(
    error: unknown,
    url: string = INSTALL_SCRIPT_URL,
): Promise<unknown> {
    if (!(error instanceof Error) || !/fetch failed$/.test(error.message)) return error;
    try {
        await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
        return error;
    } catch (probe) {
        const cause: unknown = probe instanceof Error ? (probe.cause ?? probe) : probe;
        return new Error(error.message, { cause });
    }
}

const AUTOMATION_INSTALLER: CliInstaller<PulumiCommand> = {
    get: (root) => PulumiCommand.get({ version: pinned, ...(root === undefined ? {} : { root }) }),
    install: (root) =>
        PulumiCommand.install({ version: pinned, root }).catch(async (error: unknown) => {
            throw await withDownloadCause(error);
        }),
    describe: (cli) => ({ command: cli.command, version: cli.version?.toString() ?? "unknown" }),
};

/** The CLI's environment as the Automation API builds it: the installed CLI's folder first on PATH (automation/cmd.js run). */
function cliEnv(cli: PulumiCommand, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extra, PULUMI_AUTOMATION_API: "true" };
    if (isAbsolute(cli.command))
        env["PATH"] = `${dirname(cli.command)}${delimiter}${env["PATH"] ?? ""}`;
    return env;
}

/**
 * Runs the CLI itself with the user's terminal, for what the Automation API has no call for
 * (`version`, `about`, `plugin …`) and for a secret config value, which goes on its stdin.
 */
export function runCli(
    cli: PulumiCommand,
    args: readonly string[],
    options: {
        readonly cwd: string;
        readonly env: Readonly<Record<string, string>>;
        readonly input?: string;
        readonly signal?: AbortSignal;
    },
): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(cli.command, [...args], {
            cwd: options.cwd,
            env: cliEnv(cli, options.env),
            stdio: [options.input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
        });
        options.signal?.addEventListener("abort", () => child.kill("SIGINT"));
        child.on("error", reject);
        child.on("close", (code) => {
            resolve(code ?? 1);
        });
        if (options.input !== undefined) child.stdin?.end(options.input);
    });
}

function labStack(stack: Stack, cli: PulumiCommand, workspace: LocalWorkspace): LabStack {
    const opts = (options: OperationOptions) => ({
        onOutput: options.onOutput,
        color: options.color,
        signal: options.signal,
    });
    return {
        name: stack.name,
        up: async (options) => (await stack.up(opts(options))).outputs,
        destroy: async (options) => {
            await stack.destroy(opts(options));
        },
        run: (args, signal) =>
            runCli(cli, [...args, "--stack", stack.name], {
                cwd: workspace.workDir,
                env: workspace.envVars,
                signal,
            }),
        outputs: () => stack.outputs(),
        getConfig: (key, path) => stack.getConfig(key, path),
        allConfig: () => stack.getAllConfig(),
        setConfig: async (key: string, value: ConfigValue, path: boolean) => {
            if (!value.secret) return stack.setConfig(key, value, path);
            // Stack.setConfig puts the value in the CLI's argv; `config set` reads it from a non-terminal
            // stdin instead (pulumi/pulumi v3.259.0 pkg/cmd/pulumi/config/config.go configSetCmd.Run).
            const args = ["config", "set", key, "--secret", "--stack", stack.name];
            const code = await runCli(cli, [...args, ...(path ? ["--path"] : [])], {
                cwd: workspace.workDir,
                env: workspace.envVars,
                input: value.value,
            });
            if (code !== 0)
                throw new Error(`pulumi config set --secret ${key} failed (exit ${code})`);
        },
        removeConfig: (key, path) => stack.removeConfig(key, path),
        exportStack: () => stack.exportStack(),
        importStack: (state) => stack.importStack(state),
    };
}

/** A LocalWorkspace on the project folder. No projectSettings/stackSettings: they would overwrite Pulumi.yaml (localWorkspace.js). */
async function automationWorkspace(
    cli: PulumiCommand,
    workDir: string,
    env: Readonly<Record<string, string>>,
): Promise<LabWorkspace> {
    const workspace = await LocalWorkspace.create({
        workDir,
        pulumiCommand: cli,
        envVars: { ...env },
        secretsProvider: "passphrase",
    });
    return {
        stackFileConfig: async (name) => {
            try {
                return (await workspace.stackSettings(name)).config ?? {};
            } catch {
                return {};
            }
        },
        selectStack: async (name) => {
            try {
                return labStack(await Stack.select(name, workspace), cli, workspace);
            } catch (error) {
                if (error instanceof StackNotFoundError) return undefined;
                throw error;
            }
        },
        createStack: async (name) => labStack(await Stack.create(name, workspace), cli, workspace),
        addEnv: (vars) => {
            Object.assign(workspace.envVars, vars);
        },
    };
}

export interface Connection {
    readonly cli: PulumiCommand;
    readonly workspace: LabWorkspace;
    /** What every CLI run gets on top of process.env: the backend, and `extraEnv`. */
    readonly env: Readonly<Record<string, string>>;
}

/** The CLI (found, or installed when allowed) and a workspace on the project with the lab's backend. */
export async function connect(options: {
    readonly projectDir: string;
    readonly stateDir: string;
    readonly mayInstall: boolean;
    readonly report: (line: string) => void;
    readonly extraEnv?: Readonly<Record<string, string>>;
}): Promise<Connection> {
    const backend = backendEnv(process.env, options.stateDir);
    // The diy backend fails on a state folder that does not exist (pulumi/pulumi#15841).
    if (backend.local) mkdirSync(options.stateDir, { recursive: true });
    const cli = await findPulumiCli(AUTOMATION_INSTALLER, {
        root: cliCacheRoot(),
        mayInstall: options.mayInstall,
        report: options.report,
    });
    const env = { PULUMI_BACKEND_URL: backend.PULUMI_BACKEND_URL, ...options.extraEnv };
    return { cli, workspace: await automationWorkspace(cli, options.projectDir, env), env };
}

/** Selects an existing stack for reading, as verify and bench do; never creates or installs anything. */
export async function openExistingStack(
    request: OpenRequest,
    projectDir: string,
    stateDir: string,
): Promise<LabStack> {
    const { workspace } = await connect({
        projectDir,
        stateDir,
        mayInstall: false,
        report: () => undefined,
    });
    return (await openStack(workspace, { ...request, create: false }, systemTerminal())).stack;
}
