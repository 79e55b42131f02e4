/**
 * `npm run test:cluster`: the cluster tier's tests, with the build they need. What the first line
 * needs (the binaries every line shares, then that line's Felix, Typha, BPF objects and operator)
 * is built first; then the tests start, and the other lines build beside them at the lowest CPU
 * priority (nice 19). The build keeps both cores busy, and the tier mostly waits on timeouts,
 * back-offs and grace periods (one line's fault suite: 14 min using about 0.7 core), so on a cold
 * machine the later lines' build, about 15 of its 38 minutes, comes off the run; a test that needs
 * a part still building waits for it (toolchain/background.ts). Test files run one at a time, the
 * fault suite first, because its first line is the one built first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { UsageError } from "../../tools/cli/args";
import { EVIDENCE_ENV, evidenceReport } from "./evidence";
import { LINES } from "./lines";
import { BUILD_PID_ENV } from "./toolchain/background";
import { buildToolchain } from "./toolchain/build";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const BUILD_SCRIPT = join(__dirname, "toolchain", "build.ts");
/** Runs first: its first line is the line built before the tests start. */
const FIRST_FILE = "test/cluster/faults/faults.cluster.test.ts";

const HELP = `usage: npm run test:cluster

Runs the cluster tier: the real Pulumi engine and providers, kube-apiserver, etcd, tigera/operator,
Felix and Typha on this machine (as root, in namespaces it makes and removes). Builds what is
missing first (npm run build:cluster: the first line before the tests, the others beside them).
One test file: npx tsx --test test/cluster/<folder>/<name>.cluster.test.ts

  --help    this text

Exit status: 0 every test passed, 1 a test or the build failed, 2 a usage error.
`;

/** `help`, or `run`; anything else is a usage error naming it. */
export function parseRunArgs(args: readonly string[]): "help" | "run" {
    if (args.includes("--help") || args.includes("-h")) return "help";
    const [first] = args;
    if (first !== undefined) {
        throw new UsageError(
            `test:cluster: unknown argument ${JSON.stringify(first)} (it takes none; see: npm run test:cluster -- --help)`,
        );
    }
    return "run";
}

/** The tier's test files (paths from the repository root), the fault suite first, then by name. */
export function inRunOrder(files: readonly string[]): string[] {
    const rank = (file: string) => (file === FIRST_FILE ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Every `*.cluster.test.ts` below test/cluster. */
function clusterTestFiles(dir = __dirname): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return clusterTestFiles(path);
        return entry.name.endsWith(".cluster.test.ts") ? [relative(ROOT, path)] : [];
    });
}

export interface BuildEnd {
    /** Its exit code; null when a signal ended it. */
    readonly code: number | null;
    /** Whether the runner stopped it (the tests had ended without needing the rest). */
    readonly stopped: boolean;
}

/** The run's exit code: the tests', unless they passed and the background build failed. */
export function runExitCode(tests: number | null, build: BuildEnd | undefined): number {
    if (tests !== 0) return tests ?? 1;
    return build === undefined || build.stopped || build.code === 0 ? 0 : 1;
}

const exited = (child: ChildProcess): Promise<number | null> =>
    child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve(child.exitCode)
        : new Promise((resolve) => {
              child.once("exit", (code) => {
                  resolve(code);
              });
          });

/**
 * The other lines' build at the lowest CPU priority, in a session of its own (so the runner can stop
 * all of it), its lines prefixed on stderr. With autogroup scheduling (sched(7)) a session's
 * processes share one group whose weight `nice` does not change, so the group is niced too:
 * without that the build took half the CPU from the tier (a fault took 51 s, against 28 s).
 */
function startBackgroundBuild(lines: readonly string[]): ChildProcess {
    const build = spawn("nice", ["-n", "19", TSX, BUILD_SCRIPT, ...lines], {
        cwd: ROOT,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    const autogroup = `/proc/${String(build.pid)}/autogroup`;
    try {
        if (build.pid !== undefined && existsSync(autogroup)) writeFileSync(autogroup, "19");
    } catch (error) {
        process.stderr.write(
            `test:cluster: the background build keeps its scheduling group's priority (${error instanceof Error ? error.message : String(error)}); the tier's first tests may run slower\n`,
        );
    }
    for (const stream of [build.stdout, build.stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
            process.stderr.write(`build (background): ${line}\n`);
        });
    }
    return build;
}

function stopGroup(child: ChildProcess): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
        process.kill(-child.pid, "SIGTERM");
    } catch {
        // It has just ended.
    }
}

async function main(args: readonly string[]): Promise<number> {
    if (parseRunArgs(args) === "help") {
        process.stdout.write(HELP);
        return 0;
    }
    const [first, ...rest] = LINES.map((line) => line.calico);
    buildToolchain(undefined, first === undefined ? [] : [first]);
    const build = rest.length > 0 ? startBackgroundBuild(rest) : undefined;
    const evidenceDir = mkdtempSync(join(tmpdir(), "lab-tier-evidence-"));
    const evidence = join(evidenceDir, "first-failure.txt");
    const tests = spawn(
        TSX,
        [
            "--test",
            "--test-reporter=spec",
            "--test-concurrency=1",
            ...inRunOrder(clusterTestFiles()),
        ],
        {
            cwd: ROOT,
            stdio: "inherit",
            env: {
                ...process.env,
                [BUILD_PID_ENV]: String(build?.pid ?? ""),
                [EVIDENCE_ENV]: evidence,
            },
        },
    );
    const interrupt = (signal: NodeJS.Signals) => {
        tests.kill(signal);
        if (build !== undefined) stopGroup(build);
    };
    process.on("SIGINT", interrupt);
    process.on("SIGTERM", interrupt);
    const testsCode = await exited(tests);
    const report = evidenceReport(evidence);
    rmSync(evidenceDir, { recursive: true, force: true });
    let buildEnd: BuildEnd | undefined;
    if (build !== undefined) {
        const stopped = build.exitCode === null && build.signalCode === null;
        if (stopped) {
            process.stderr.write(
                "test:cluster: the tests have ended; stopping the background build\n",
            );
            stopGroup(build);
        }
        buildEnd = { code: await exited(build), stopped };
        if (!stopped && buildEnd.code !== 0) {
            process.stderr.write(
                `test:cluster: the background build failed (exit ${String(buildEnd.code)}; its lines above, prefixed "build (background)")\n`,
            );
        }
    }
    // Last, so that a log cut to its tail still shows what the first failure saw.
    if (report !== undefined) process.stderr.write(report);
    return runExitCode(testsCode, buildEnd);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            const usage = error instanceof UsageError;
            process.stderr.write(
                `${usage ? "" : "test:cluster: "}${error instanceof Error ? error.message : String(error)}\n`,
            );
            process.exit(usage ? 2 : 1);
        },
    );
}
