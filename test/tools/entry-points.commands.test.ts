/**
 * Every command a user types, run as the user runs it: --help exits 0 and lists the options; a
 * usage error exits 2 with one line naming what is wrong.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { closedUrl, withServer } from "../support/http-server";
import { PROJECT_DIR } from "../support/paths";

const ENTRY_POINTS = [
    { script: "tools/check/check.ts", options: [] },
    { script: "tools/check/typed-checks.ts", options: [] },
    {
        script: "tools/verify/verify.ts",
        options: ["--stack", "--json", "--timeout-seconds", "--kubeconfig", "--url", "--expect"],
    },
    {
        script: "tools/bench/bench.ts",
        options: [
            "--repeat",
            "--services",
            "--duration",
            "--flows",
            "--connections",
            "--udp-mbps",
            "--kubeconfig",
            "--kubeconfig-env",
            "--results",
        ],
    },
    {
        script: "tools/lab/lab.ts",
        options: [
            "--show-secrets",
            "--path",
            "--secret",
            "--from-scratch",
            "--destroy",
            "--skip-bench",
        ],
    },
];

const runs = new Map<string, SpawnSyncReturns<string>>();

/** An entry point run with `args`; several tests read one run of the same command line. */
function run(script: string, args: string[]): SpawnSyncReturns<string> {
    const key = JSON.stringify([script, args]);
    const known = runs.get(key);
    if (known !== undefined) return known;
    const result = spawnSync(
        process.execPath,
        ["--import", "tsx", join(PROJECT_DIR, script), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, PATH: "" }, timeout: 30_000 },
    );
    runs.set(key, result);
    return result;
}

describe("entry points", () => {
    it("tools/lab/lab.ts --help lists the driver's commands, study among them", () => {
        const result = run("tools/lab/lab.ts", ["--help"]);
        assert.equal(result.status, 0, result.stderr);
        for (const command of [
            "up",
            "preview",
            "refresh",
            "destroy",
            "stack output",
            "config set",
            "study",
        ])
            assert.match(result.stdout, new RegExp(`npm run lab -- .*\\b${command}\\b`));
    });
    for (const entry of ENTRY_POINTS) {
        it(`${entry.script} --help exits 0 and lists every option`, () => {
            const result = run(entry.script, ["--help"]);
            assert.equal(result.status, 0, result.stderr);
            for (const option of [...entry.options, "--help"])
                assert.match(result.stdout, new RegExp(`${option}\\b`));
            assert.match(result.stdout, /Exit status:/);
        });
        it(`${entry.script} exits 2 on a usage error, in one line`, () => {
            const result = run(entry.script, ["--no-such-option"]);
            assert.equal(result.status, 2, result.stderr);
            assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
            assert.match(result.stderr, /--no-such-option/);
        });
    }
});

/**
 * The commands as the README writes them, through npm and a shell, with no Pulumi CLI, Azure login
 * or cluster: what a new user meets first. Each test runs its lines side by side.
 */
const README = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");

interface ShellResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function shell(line: string, env: NodeJS.ProcessEnv = {}): Promise<ShellResult> {
    return new Promise((resolve) => {
        execFile(
            "/bin/sh",
            ["-c", line],
            {
                cwd: PROJECT_DIR,
                encoding: "utf8",
                // Node and npm, and nothing that could be a Pulumi CLI.
                env: {
                    ...process.env,
                    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
                    CI: "",
                    // npm's daily look for a newer npm is no part of what a test checks.
                    npm_config_update_notifier: "false",
                    ...env,
                },
                timeout: 120_000,
            },
            (error, stdout, stderr) => {
                resolve({
                    status: error === null ? 0 : (error.code as number | null),
                    stdout,
                    stderr,
                });
            },
        );
    });
}

/** Exit 2 and one line on stderr that matches `pattern`. */
function assertUsageLine(result: ShellResult, pattern: RegExp) {
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, pattern);
}

function kubeconfigFor(server: string, insecure = false): string {
    const file = join(mkdtempSync(join(tmpdir(), "entry-kubeconfig-")), "kubeconfig");
    writeFileSync(
        file,
        [
            "apiVersion: v1",
            "kind: Config",
            `clusters: [{ name: lab, cluster: { server: "${server}", insecure-skip-tls-verify: ${insecure} } }]`,
            "users: [{ name: u, user: { token: t } }]",
            "contexts: [{ name: lab, context: { cluster: lab, user: u } }]",
            "current-context: lab",
        ].join("\n"),
    );
    return file;
}

/** A kubeconfig whose server fetch refuses to contact (port 6000 is on the Fetch standard's bad ports list). */
const BAD_PORT = "https://127.0.0.1:6000";

describe("the README's commands, run as it writes them", () => {
    it("every recipe that redirects a tool's output uses npm run -s, so the file holds the tool's output alone", async () => {
        const redirects = README.split("\n").filter((line) => /npm run .*\s>\s/.test(line));
        assert.ok(redirects.length >= 2, "the README's redirect recipes were found");
        // So do the examples of --help.
        const helpRedirects = run("tools/lab/lab.ts", ["--help"])
            .stdout.split("\n")
            .filter((line) => /npm run .*\s>\s/.test(line));
        assert.ok(helpRedirects.length >= 1);
        for (const line of [...redirects, ...helpRedirects])
            assert.match(line, /npm run -s /, line);
        const dir = mkdtempSync(join(tmpdir(), "entry-redirect-"));
        const [help, failed] = await Promise.all([
            shell(`npm run -s lab -- --help > ${dir}/help`),
            // A failing verify writes nothing to the file: its one line goes to stderr.
            shell(
                `npm run -s verify -- --json --kubeconfig ${kubeconfigFor(BAD_PORT)} --url http://127.0.0.1:6000/ --expect bpf > ${dir}/verify.json`,
            ),
        ]);
        assert.equal(help.status, 0, help.stderr);
        assert.equal(
            readFileSync(join(dir, "help"), "utf8"),
            run("tools/lab/lab.ts", ["--help"]).stdout,
        );
        assert.equal(failed.status, 2, failed.stderr);
        assert.match(failed.stderr, /API server/);
        assert.equal(readFileSync(join(dir, "verify.json"), "utf8"), "");
    });
    it("up, destroy and refresh without a terminal and without --yes stop before anything runs (exit 2)", async () => {
        const results = await Promise.all(
            ["npm run lab -- destroy", "npm run lab -- up --refresh"].map((line) =>
                shell(`${line} < /dev/null`),
            ),
        );
        for (const result of results) {
            assertUsageLine(
                result,
                /there is no terminal to ask on: run it on one, or add --yes \(npm run lab -- (destroy|up) --yes\)/,
            );
            assert.doesNotMatch(result.stderr, /Node|Pulumi CLI|stack/);
        }
    });
    it("plan runs offline: every resource, the exact patches and step commands, against a simulated Calico line", async () => {
        const env = { LAB_STACK: "entry-point-plan" };
        const [result, misspelled] = await Promise.all([
            shell("npm run -s lab -- plan --set dataplane=bpf --calico 3.30.4", env),
            shell("npm run -s lab -- plan --set dataPlane=bpf", env),
        ]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(
            result.stdout,
            /^Plan of stack entry-point-plan, offline: no Pulumi CLI, no Azure, no cluster/,
        );
        assert.match(
            result.stdout,
            /SIMULATED: the cluster's answers are those AKS-managed Calico 3\.30\.4 would give/,
        );
        assert.match(result.stdout, /dataplane = bpf {2}\(--set\)/);
        assert.match(
            result.stdout,
            /FelixConfigurationPatch {2}calico-felix\n {8}patch \(server-side apply\): .*"bpfKubeProxyHealtzPort":10258/,
        );
        assert.match(
            result.stdout,
            /InstallationPatch {2}calico-installation\n {8}patch \(server-side apply\): .*"linuxDataplane":"BPF"/,
        );
        assert.match(
            result.stdout,
            /runs: exec node --import tsx tools\/cluster-step\/cluster-step\.ts wait-dataplane bpf --since <time of the apply>/,
        );
        assert.match(result.stdout, /Errors:\n {2}\(none\)\n$/);
        assert.equal(misspelled.status, 1, misspelled.stderr);
        assert.match(
            misspelled.stdout,
            /Errors:\n.*aks-calico-lab:dataPlane is not a setting of this lab; did you mean dataplane\?/,
        );
    });
    it("refuses bad numbers and missing arguments in one line that says what is wrong", async () => {
        const cases = [
            [
                "npm run lab -- study --repeat 51",
                /--repeat must be an integer from 1 to 50, not "51"/,
            ],
            ["npm run bench -- --repeat -5", /--repeat must be an integer from 1 to 50, not "-5"/],
            [
                "npm run lab -- config set dataplane",
                /^lab: config set dataplane needs a VALUE .* \(see `npm run lab -- --help`\)$/m,
            ],
            ["npm run lab -- study foo", /study takes no argument, not "foo"/],
        ] as const;
        const results = await Promise.all(cases.map(([line]) => shell(line)));
        cases.forEach(([, pattern], i) => {
            assertUsageLine(results[i] as ShellResult, pattern);
        });
    });
    it("bench and verify name the API server they cannot use, in one line", async () => {
        // bench's cluster is down (a closed port); verify's answers 404.
        const down = new URL((await closedUrl()).replace("http:", "https:")).origin;
        await withServer([404], async (server) => {
            const notFound = kubeconfigFor(server.url.replace(/\/$/, ""), true);
            const results = await Promise.all([
                shell(`npm run bench -- --kubeconfig ${kubeconfigFor(down)}`),
                shell(
                    `npm run verify -- --kubeconfig ${notFound} --url ${server.url} --expect bpf`,
                ),
            ]);
            for (const [i, result] of results.entries()) {
                assert.equal(result.status, 2, result.stderr);
                // Progress lines aside, one line says what failed.
                const tool = i === 0 ? "bench:" : "verify:";
                const lines = result.stderr.split("\n").filter((l) => l.startsWith(tool));
                assert.equal(lines.length, 1, result.stderr);
            }
            assert.match(
                results[0].stderr,
                /^bench: cannot reach the cluster's API server \(.*ECONNREFUSED.*\)$/m,
            );
            // It never created a namespace there, so it deletes none either.
            assert.doesNotMatch(results[0].stderr, /namespace/);
            assert.match(
                results[1].stderr,
                /^verify: cannot read the cluster's API server: the API server answered HTTP 404$/m,
            );
        });
    });
});
