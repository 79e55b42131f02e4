/**
 * The processes a local cluster runs: each in its own process group, its output in a log file,
 * stopped together by `stop()`, on process exit, and on SIGINT/SIGTERM.
 *
 * Modelled on controller-runtime's envtest process handling (kubernetes-sigs/controller-runtime
 * v0.24.1, pkg/internal/testing/process/process.go and procattr_unix.go: Setpgid, SIGTERM then
 * kill after a timeout; pkg/internal/testing/addr/manager.go: free ports by listening on :0).
 * Where util-linux `setpriv` is present, each child also gets PR_SET_PDEATHSIG=KILL, so even a
 * SIGKILLed test runner leaves no control plane behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface RunningProcess {
    readonly name: string;
    readonly pid: number;
    readonly logFile: string;
    readonly exited: Promise<number | null>;
    isRunning(): boolean;
}

const STOP_TIMEOUT_MS = 10_000;
const live = new Set<ProcessGroup>();
let handlersInstalled = false;

const hasSetpriv = spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;

function installExitHandlers(): void {
    if (handlersInstalled) return;
    handlersInstalled = true;
    // The last resort: a synchronous SIGKILL to every group still running.
    process.on("exit", () => {
        for (const group of live) group.killNow();
    });
    for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
    ] as const) {
        process.once(signal, () => {
            void Promise.allSettled([...live].map((group) => group.stop())).then(() =>
                process.exit(code),
            );
        });
    }
}

export class ProcessGroup {
    private readonly processes: { running: RunningProcess; child: ChildProcess }[] = [];

    constructor() {
        installExitHandlers();
        live.add(this);
    }

    get running(): readonly RunningProcess[] {
        return this.processes.map((p) => p.running);
    }

    /** `env`: the process's whole environment (default: this process's). */
    start(
        name: string,
        binary: string,
        args: readonly string[],
        logFile: string,
        env?: NodeJS.ProcessEnv,
    ): RunningProcess {
        const out = openSync(logFile, "a");
        const [command, argv] = hasSetpriv
            ? ["setpriv", ["--pdeathsig", "KILL", "--", binary, ...args]]
            : [binary, [...args]];
        // detached: the child leads a new process group, so a signal to -pid reaches all it forks.
        const child = spawn(command, argv, { detached: true, stdio: ["ignore", out, out], env });
        closeSync(out);
        if (child.pid === undefined) throw new Error(`${name}: could not start ${binary}`);
        const exited = new Promise<number | null>((resolve) => {
            child.once("exit", (code) => {
                resolve(code);
            });
            child.once("error", () => {
                resolve(null);
            });
        });
        const isRunning = () => child.exitCode === null && child.signalCode === null;
        const running = { name, pid: child.pid, logFile, exited, isRunning };
        this.processes.push({ running, child });
        return running;
    }

    /** SIGTERM to every group, newest first; SIGKILL to what is left after the timeout. */
    async stop(): Promise<void> {
        for (const { running } of [...this.processes].reverse()) await stopProcess(running);
        live.delete(this);
    }

    killNow(): void {
        for (const { running } of this.processes) signalGroup(running.pid, "SIGKILL");
    }
}

/** SIGTERM to one process's group; SIGKILL to what is left after the timeout. */
export async function stopProcess(running: RunningProcess): Promise<void> {
    if (!running.isRunning()) return;
    signalGroup(running.pid, "SIGTERM");
    const timer = new Promise<"timeout">((resolve) =>
        setTimeout(() => {
            resolve("timeout");
        }, STOP_TIMEOUT_MS).unref(),
    );
    if ((await Promise.race([running.exited, timer])) === "timeout") {
        signalGroup(running.pid, "SIGKILL");
        await running.exited;
    }
    // Whatever the leader forked and left behind in its group.
    signalGroup(running.pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // ESRCH: the group is gone already.
    }
}

/** Whether any process of this machine has `needle` in its command line (for the self-test). */
export function processesMentioning(needle: string): number[] {
    const found: number[] = [];
    const ls = spawnSync("ls", ["/proc"], { encoding: "utf8" }).stdout.split("\n");
    for (const entry of ls) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) {
                found.push(Number(entry));
            }
        } catch {
            // The process ended while we looked.
        }
    }
    return found;
}

/** A port free on `host` right now (envtest's addr.Suggest does the same). */
export function freePort(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, host, () => {
            const address = server.address();
            server.close(() => {
                if (address && typeof address === "object") resolve(address.port);
                else reject(new Error(`no port on ${host}`));
            });
        });
    });
}

/** Polls `check` until it returns a value, or fails naming `what` and the process's last log lines. */
export async function waitFor<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs: number,
    process?: RunningProcess,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        const exited = process
            ? await Promise.race([process.exited.then(() => true), sleep(0)])
            : false;
        if (exited || Date.now() > deadline) {
            const why = exited ? "exited" : `not ready after ${timeoutMs / 1000}s`;
            const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
            const tail = process
                ? `\n--- ${process.logFile} (tail) ---\n${logTail(process.logFile)}`
                : "";
            throw new Error(`${what}: ${why}${detail}${tail}`);
        }
        await sleep(200);
    }
}

function sleep(ms: number): Promise<false> {
    return new Promise((resolve) =>
        setTimeout(() => {
            resolve(false);
        }, ms),
    );
}

export function logTail(file: string, lines = 30): string {
    try {
        return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}
