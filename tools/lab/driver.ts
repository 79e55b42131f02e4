/**
 * What `npm run lab -- <command>` does, on interfaces: the checks up front (Node, the CLI, an Azure
 * credential where Azure is reached), then the command on the lab's stack. lab.ts wires the real
 * Automation API, terminal and processes; tests use recording fakes.
 */
import { UsageError } from "../cli/args";
import { InterruptedError } from "../cli/passphrase";
import { settlePendingOperations } from "../cli/pending-operations";
import { explained } from "../cli/pulumi-errors";
import {
    openStack,
    type LabStack,
    type LabWorkspace,
    type OperationOptions,
    type Terminal,
} from "../cli/pulumi-stack";
import { azureSettings, checkAzureCredential, type AzResult } from "./azure-credential";
import {
    mayCreateStack,
    operationArgs,
    reachesAzure,
    type LabCommand,
    type Operation,
    type OperationFlags,
    type StudyOptions,
} from "./command";
import { renderConfig, renderOutputs } from "./render";

/**
 * Makes the Kubernetes provider drop resources of a cluster it can no longer reach instead of
 * failing the destroy (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go: the
 * PULUMI_K8S_DELETE_UNREACHABLE variable, read when the provider has no deleteUnreachable set).
 */
export const DESTROY_ENV = { PULUMI_K8S_DELETE_UNREACHABLE: "true" } as const;

export interface Connected {
    readonly workspace: LabWorkspace;
    /** Runs the CLI itself with the user's terminal (pass-through commands); resolves with its exit code. */
    readonly runCli: (args: readonly string[]) => Promise<number>;
}

export interface DriverDeps {
    readonly env: NodeJS.ProcessEnv;
    readonly nodeVersion: string;
    /** Finds (or installs) the CLI, reporting which, and opens the workspace. */
    readonly connect: () => Promise<Connected>;
    readonly terminal: Terminal;
    /** Whether the Pulumi CLI can ask the user to confirm (automation.ts cliCanAsk). */
    readonly cliCanAsk: boolean;
    /** Runs `az` with these arguments; undefined when az is not on PATH. */
    readonly runAz: (args: readonly string[]) => Promise<AzResult>;
    /** A secret config value typed nowhere on the command line: asked on the terminal, else read from stdin. */
    readonly readSecretValue: (key: string) => Promise<string>;
    readonly operation: OperationOptions;
    readonly interrupted: () => boolean;
    readonly study: (
        stack: LabStack,
        options: StudyOptions,
        destroyLab: () => Promise<void>,
    ) => Promise<void>;
    /** `npm run lab -- plan`: offline, so it runs before (and instead of) every check below. */
    readonly plan: (command: Extract<LabCommand, { kind: "plan" }>) => Promise<number>;
    readonly stackName: string;
    /**
     * Removes the locks that updates killed outright left in a local state (stale-lock.ts); one
     * line for each.
     */
    readonly clearStaleLocks: () => readonly string[];
    /**
     * Removes the metadata files that updates killed mid-write left torn in a local state
     * (torn-metadata.ts): without that, no command can read the stack. One line, or none.
     */
    readonly removeTornMetadata: () => readonly string[];
    readonly stdout: (text: string) => void;
    /** One check or status line (stderr). */
    readonly report: (line: string) => void;
}

/**
 * Whether the CLI will stop to ask: up, destroy and refresh do, unless --yes, --skip-preview or
 * PULUMI_SKIP_CONFIRMATIONS (pulumi/pulumi pkg/cmd/pulumi/operations/up.go @v3.276.0:
 * `yes = yes || skipPreview || env.SkipConfirmations.Value()`).
 */
function asks(operation: Operation, flags: OperationFlags, env: NodeJS.ProcessEnv): boolean {
    const skip = (env["PULUMI_SKIP_CONFIRMATIONS"] ?? "").toLowerCase();
    return (
        operation !== "preview" && !flags.yes && !flags.skipPreview && !["1", "true"].includes(skip)
    );
}

/** What Ctrl-C during an operation leaves, and the commands that finish or remove it. */
export function interruptedLine(what: Operation | "study"): string {
    if (what === "preview" || what === "refresh")
        return `interrupted: the ${what} stopped; nothing was changed`;
    return (
        "interrupted: the lab may be half built and billing (its VMs run until removed): " +
        "`npm run lab -- up` finishes it, `npm run lab -- destroy` removes it"
    );
}

/** Runs one command; resolves with the exit code, rejects with a one-line error. */
export async function runLabCommand(command: LabCommand, deps: DriverDeps): Promise<number> {
    // As the CLI refuses (backenderr.NoConfirmationInNonInteractiveError), but before anything runs.
    if (
        command.kind === "operation" &&
        asks(command.operation, command.flags, deps.env) &&
        !deps.cliCanAsk
    )
        throw new UsageError(
            `${command.operation} previews and then asks before changing the lab, and there is no ` +
                `terminal to ask on: run it on one, or add --yes (npm run lab -- ${command.operation} --yes)`,
        );
    if (command.kind === "plan") return deps.plan(command);
    // npm run lab refused an unsupported Node before this ran (tools/cli/node-version.cjs).
    deps.report(`Node ${deps.nodeVersion}`);
    const { workspace, runCli } = await deps.connect();
    for (const line of deps.removeTornMetadata()) deps.report(line);
    if (command.kind === "pass-through") return runCli(command.args);

    const name = deps.stackName;
    if (reachesAzure(command)) {
        const fileConfig = await workspace.stackFileConfig(name);
        deps.report(
            `Azure: ${await checkAzureCredential(azureSettings(deps.env, fileConfig), deps.runAz)}`,
        );
    }
    const { stack, created } = await openStack(
        workspace,
        { stack: name, create: mayCreateStack(command) },
        deps.terminal,
    );
    deps.report(created ? `stack ${name} created (local state)` : `stack ${name}`);
    const call = <T>(what: () => Promise<T>): Promise<T> =>
        explained(name, what).catch((error: unknown) => {
            throw deps.interrupted() ? new InterruptedError() : error;
        });
    const destroyLab = async () => {
        workspace.addEnv(DESTROY_ENV);
        await call(() => stack.destroy(deps.operation));
    };

    switch (command.kind) {
        case "operation": {
            const { operation, flags } = command;
            if (operation === "destroy") workspace.addEnv(DESTROY_ENV);
            // A killed update's lock would stop this one: the CLI's error names `pulumi cancel`, which
            // also takes a live update's lock; only a lock whose process is gone is removed.
            // What an interrupted update left pending in the stack goes next (pending-operations.ts).
            if (operation !== "preview") {
                for (const line of deps.clearStaleLocks()) deps.report(line);
                for (const line of await call(() => settlePendingOperations(stack, name)))
                    deps.report(line);
            }
            const code = await stack.run(
                [operation, ...operationArgs(flags)],
                deps.operation.signal,
            );
            if (deps.interrupted()) throw new InterruptedError(interruptedLine(operation));
            if (code !== 0)
                throw new Error(
                    `pulumi ${operation} ended with exit ${code}; its output above says why`,
                );
            return 0;
        }
        case "stack-output":
            deps.stdout(
                renderOutputs(await call(() => stack.outputs()), command.showSecrets, command.name),
            );
            return 0;
        case "config-list":
            deps.stdout(renderConfig(await call(() => stack.allConfig()), command.showSecrets));
            return 0;
        case "config-get":
            deps.stdout(
                `${(await call(() => stack.getConfig(command.key, command.path))).value}\n`,
            );
            return 0;
        case "config-set": {
            const value = command.value ?? (await deps.readSecretValue(command.key));
            await call(() =>
                stack.setConfig(command.key, { value, secret: command.secret }, command.path),
            );
            return 0;
        }
        case "config-rm":
            await call(() => stack.removeConfig(command.key, command.path));
            return 0;
        case "study":
            await deps.study(stack, command.options, destroyLab).catch((error: unknown) => {
                throw error instanceof InterruptedError
                    ? new InterruptedError(interruptedLine("study"))
                    : error;
            });
            return 0;
    }
}
