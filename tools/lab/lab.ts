/**
 * npm run lab -- <command>: the lab on Pulumi's Automation API, from a machine with only Node and
 * an Azure login. `--help` lists the commands.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { KUBECONFIG_ENV } from "../../components/calico/cluster-step-command";
import { HELP, helpText } from "../cli/args";
import { runMain } from "../cli/main";
import { InterruptedError, readHidden } from "../cli/passphrase";
import { PROJECT_DIR, PROJECT_NAME, STATE_DIR, stackName } from "../cli/project";
import { localStateDir } from "../cli/pulumi-stack";
import { removeStaleLocks } from "../cli/stale-lock";
import { removeTornSidecars } from "../cli/torn-metadata";
import { cliCanAsk, systemTerminal } from "../cli/terminal";
import type { AzResult } from "./azure-credential";
import { labHelp, parseLabCommand } from "./command";
import { runLabCommand } from "./driver";
import { LineTail } from "./render";
import { STUDY_DIR_NAME } from "./study/plan";
import { fileStore } from "./study/store";
import { runStudy, type RunTool } from "./study/study";

const report = (line: string) => process.stderr.write(`lab: ${line}\n`);

/** What `repair` says of the local state folder; nothing when the backend is not a local one. */
const onLocalState = (repair: (stateDir: string) => string[]): string[] => {
    const stateDir = localStateDir(process.env, STATE_DIR);
    return stateDir === undefined ? [] : repair(stateDir);
};

/** Output of a process: captured, and its stderr streamed to ours. */
function runProcess(
    command: string,
    args: readonly string[],
    options: {
        env: NodeJS.ProcessEnv;
        signal?: AbortSignal;
        tail?: LineTail;
        streamStderr: boolean;
    },
): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, [...args], {
            cwd: PROJECT_DIR,
            env: options.env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => {
            const text = chunk.toString("utf8");
            stderr += text;
            options.tail?.push(text);
            if (options.streamStderr) process.stderr.write(text);
        });
        options.signal?.addEventListener("abort", () => child.kill("SIGINT"));
        child.on("error", reject);
        child.on("close", (code) => {
            resolve({ code: code ?? 1, stdout, stderr });
        });
    });
}

const runAz = async (args: readonly string[]): Promise<AzResult> => {
    try {
        return await runProcess("az", args, { env: process.env, streamStderr: false });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
    }
};

async function readStdin(): Promise<string> {
    let text = "";
    for await (const chunk of process.stdin) text += (chunk as Buffer).toString("utf8");
    return text.replace(/\r?\n$/, "");
}

async function main(): Promise<number> {
    const command = parseLabCommand(process.argv.slice(2));
    if (command === HELP) {
        process.stdout.write(helpText(labHelp(process.argv.slice(2))));
        return 0;
    }
    const terminal = systemTerminal();

    // Ctrl-C: on a terminal it reaches the CLI (same process group) by itself; a second SIGINT from
    // here would be the CLI's "^C again: terminate immediately" (pulumi/pulumi v3.259.0
    // pkg/backend/cancellation_scope.go). Elsewhere (CI, kill), one SIGINT is forwarded: a graceful cancel.
    const abort = new AbortController();
    let interrupted = false;
    process.on("SIGINT", () => {
        if (!interrupted) report("interrupted: letting the Pulumi CLI cancel cleanly");
        interrupted = true;
        if (!terminal.interactive) abort.abort();
    });

    const tail = new LineTail(20);
    const operation = {
        onOutput: (text: string) => {
            tail.push(text);
            process.stdout.write(text);
        },
        color:
            process.stdout.isTTY && process.env["CI"] === undefined
                ? ("always" as const)
                : ("never" as const),
        signal: abort.signal,
    };
    const runTool: RunTool = async (tool, args, kubeconfig) => {
        const toolTail = new LineTail(20);
        const run = await runProcess(
            process.execPath,
            ["--import", "tsx", join(PROJECT_DIR, "tools", tool, `${tool}.ts`), ...args],
            {
                env: { ...process.env, [KUBECONFIG_ENV]: kubeconfig },
                signal: abort.signal,
                tail: toolTail,
                streamStderr: true,
            },
        );
        return { code: run.code, stdout: run.stdout, tail: toolTail.last() };
    };
    const name = stackName();

    return runLabCommand(command, {
        env: process.env,
        nodeVersion: process.versions.node,
        connect: async () => {
            // Loaded here: the Automation API costs a second and a half, which --help and a usage
            // error should not pay.
            const { connect, runCli } = await import("../cli/automation.js");
            const connection = await connect({
                projectDir: PROJECT_DIR,
                stateDir: STATE_DIR,
                mayInstall: true,
                report,
            });
            return {
                workspace: connection.workspace,
                runCli: (args) =>
                    runCli(connection.cli, args, { cwd: PROJECT_DIR, env: connection.env }),
            };
        },
        terminal,
        cliCanAsk: cliCanAsk(),
        runAz,
        readSecretValue: async (key) =>
            terminal.interactive
                ? readHidden(`value of ${key} (not echoed): `, process.stdin, process.stderr)
                : readStdin(),
        operation,
        interrupted: () => interrupted,
        study: async (stack, options, destroyLab) => {
            await runStudy(name, options, {
                stack,
                operation,
                destroyLab,
                runTool,
                store: fileStore(join(PROJECT_DIR, "bench-results", STUDY_DIR_NAME)),
                now: Date.now,
                log: report,
                outputTail: () => tail.last(),
                interrupted: () => interrupted,
            });
        },
        plan: async (plan) => {
            const { runPlan } = await import("./plan/plan.js");
            return runPlan({
                stack: name,
                calicoVersion: plan.calicoVersion,
                sets: plan.sets,
                ...(plan.kubeconfigFile === undefined
                    ? {}
                    : { kubeconfigFile: plan.kubeconfigFile }),
                stdout: (text) => process.stdout.write(text),
                report,
            });
        },
        stackName: name,
        clearStaleLocks: () => onLocalState((dir) => removeStaleLocks(dir, PROJECT_NAME, name)),
        removeTornMetadata: () => onLocalState(removeTornSidecars),
        stdout: (text) => process.stdout.write(text),
        report,
    });
}

if (require.main === module) {
    runMain("lab", main, (error) => (error instanceof InterruptedError ? 130 : 1));
}
