/**
 * Every command a user types, run as the user runs it: --help exits 0 and lists the options; a
 * usage error exits 2 with one line naming what is wrong.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseBenchOptions } from "../../tools/bench/options";
import { parseLabCommand } from "../../tools/lab/command";
import { parseOptions as parseVerifyOptions } from "../../tools/verify/verify";
import { closedUrl, withServer } from "../support/http-server";
import { PROJECT_DIR } from "../support/paths";
import { scratchDir } from "../support/scratch";

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
    { script: "tools/docs/tier-sample.ts", options: ["--recorded", "--check"] },
    { script: "test/cluster/run.ts", options: [] },
    { script: "test/cluster/toolchain/build.ts", options: [] },
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
 * The commands as the README and the pages in docs/ write them, through npm and a shell, with no
 * Pulumi CLI, Azure login or cluster: what a new user meets first. Each test runs its lines side by side.
 */
const PAGES = [
    "README.md",
    ...readdirSync(join(PROJECT_DIR, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`),
];
const PAGE_TEXT = PAGES.map((page) => readFileSync(join(PROJECT_DIR, page), "utf8"));

/** Every command of the pages' ```bash blocks that starts with npm, as written (comments and `&&` split off). */
const DOCUMENTED: readonly { readonly page: string; readonly command: string }[] = PAGES.flatMap(
    (page, i) =>
        [...(PAGE_TEXT[i] ?? "").matchAll(/```bash\n([\s\S]*?)```/g)]
            .flatMap((block) => (block[1] ?? "").split("\n"))
            .map((line) => line.replace(/\s+#\s.*$/, "").trim())
            .flatMap((line) => line.split(" && ").map((command) => command.trim()))
            .filter((command) => /^npm (run|test|ci)\b/.test(command))
            .map((command) => ({ page, command })),
);

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
    const file = join(scratchDir("entry-kubeconfig-"), "kubeconfig");
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

/** A command line's words as the shell splits them (quotes removed), up to a redirection. */
function words(command: string): string[] {
    const found = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
    const redirect = found.findIndex((word) => /^[<>|]/.test(word));
    return redirect < 0 ? found : found.slice(0, redirect);
}

/** The documented plan lines, run once through npm and a shell, ~ being a home with a kubeconfig in it. */
let documentedPlans: Promise<Map<string, ShellResult & { readonly file?: string }>> | undefined;
function runDocumentedPlans() {
    documentedPlans ??= (async () => {
        const home = scratchDir("entry-home-");
        mkdirSync(join(home, ".kube"));
        writeFileSync(
            join(home, ".kube", "config"),
            readFileSync(kubeconfigFor("https://203.0.113.10:6443"), "utf8"),
        );
        const plans = [...new Set(DOCUMENTED.map((d) => d.command))].filter((command) =>
            command.startsWith("npm run -s lab -- plan"),
        );
        const results = await Promise.all(
            plans.map(async (command) => {
                const target = /> (\S+)$/.exec(command)?.[1];
                const line =
                    target === undefined
                        ? command
                        : command.replace(`> ${target}`, `> ${home}/${target}`);
                const result = await shell(line, { HOME: home, LAB_STACK: "entry-point-plan" });
                const file =
                    target === undefined ? undefined : readFileSync(join(home, target), "utf8");
                return [command, { ...result, ...(file === undefined ? {} : { file }) }] as const;
            }),
        );
        return new Map(results);
    })();
    return documentedPlans;
}

describe("the commands of the README and of every page in docs/", () => {
    it("are commands the tools take: each parsed by its tool's own parser, each npm script one package.json has", () => {
        const scripts = (
            JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as {
                scripts: Record<string, string>;
            }
        ).scripts;
        assert.ok(DOCUMENTED.length >= 40, `${DOCUMENTED.length} documented commands`);
        for (const { page, command } of DOCUMENTED) {
            const [, verb, ...rest] = words(command);
            const quiet = rest[0] === "-s" ? rest.slice(1) : rest;
            const script = verb === "run" ? quiet[0] : verb;
            const args = quiet.indexOf("--") >= 0 ? quiet.slice(quiet.indexOf("--") + 1) : [];
            const where = `${page}: ${command}`;
            if (script === "ci") continue;
            assert.ok(script !== undefined && scripts[script] !== undefined, where);
            assert.doesNotThrow(() => {
                if (script === "lab") parseLabCommand(args);
                if (script === "verify") parseVerifyOptions(args, {});
                if (script === "bench") parseBenchOptions(args, PROJECT_DIR, {});
            }, where);
        }
    });
    it("plan's lines run offline as written: a plan, or one line saying what to fix, never a stack trace", async () => {
        const runs = await runDocumentedPlans();
        assert.ok(runs.size >= 5, [...runs.keys()].join("\n"));
        for (const [command, result] of runs) {
            assert.equal(result.status, 0, `${command}: ${result.stderr}`);
            assert.equal(result.stderr, "", command);
            assert.doesNotMatch(result.stdout + (result.file ?? ""), /^\s+at /m, command);
            assert.match(result.file ?? result.stdout, /Errors:\n {2}\(none\)\n$/, command);
        }
    });
});

describe("the README's commands, run as it writes them", () => {
    it("every recipe that redirects a tool's output uses npm run -s, so the file holds the tool's output alone", async () => {
        const redirects = PAGE_TEXT.flatMap((text) =>
            text.split("\n").filter((line) => /npm run .*\s>\s/.test(line)),
        );
        assert.ok(redirects.length >= 3, "the pages' redirect recipes were found");
        // So do the examples of --help.
        const helpRedirects = run("tools/lab/lab.ts", ["--help"])
            .stdout.split("\n")
            .filter((line) => /npm run .*\s>\s/.test(line));
        assert.ok(helpRedirects.length >= 1);
        for (const line of [...redirects, ...helpRedirects])
            assert.match(line, /npm run -s /, line);
        const dir = scratchDir("entry-redirect-");
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
        const [runs, misspelled] = await Promise.all([
            runDocumentedPlans(),
            shell("npm run -s lab -- plan --set dataPlane=bpf", { LAB_STACK: "entry-point-plan" }),
        ]);
        const documented = runs.get(
            "npm run -s lab -- plan --set dataplane=bpf --calico 3.30.4 > plan.txt",
        );
        assert.ok(documented);
        const result = { ...documented, stdout: documented.file ?? "" };
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
        // The hint names what was typed: the --set, not a `config rm` of a key the stack never had.
        assertUsageLine(
            misspelled,
            /^lab: --set dataPlane=…: dataPlane is not a setting of this lab; did you mean --set dataplane=bpf\?/,
        );
    });
    it("plan works offline for every cluster mode, with no stack trace and the secret never shown", async () => {
        // A stack file with the kubeconfig encrypted, as `config set --secret` stores it; read by
        // runPlan from a folder of its own, so the project's folder gets no stack file.
        const stackDir = scratchDir("entry-plan-secure-");
        writeFileSync(
            join(stackDir, "Pulumi.secure.yaml"),
            "config:\n  aks-calico-lab:cluster: existing\n  aks-calico-lab:dataplane: bpf\n  aks-calico-lab:existingKubeconfig:\n    secure: AAABAJ2vc2VjcmV0\n",
        );
        const securePlan = [
            `const { runPlan } = require(${JSON.stringify(join(PROJECT_DIR, "tools/lab/plan/plan.ts"))});`,
            `runPlan({ stack: "secure", calicoVersion: "3.31.2", sets: [], stackDir: ${JSON.stringify(stackDir)},`,
            "  stdout: (t) => process.stdout.write(t), report: (l) => process.stderr.write(`lab: ${l}\\n`) })",
            "  .then((code) => process.exit(code));",
        ].join("\n");
        // The aks mode is the test above; existing clusters by AKS name and by kubeconfig file are
        // the documented lines, run as written.
        const [runs, secure] = await Promise.all([
            runDocumentedPlans(),
            shell(`node --import tsx -e '${securePlan}'`),
        ]);
        const existingAks = runs.get(
            "npm run -s lab -- plan --set cluster=existing --set existingAksCluster=my-resource-group/my-cluster",
        );
        const byFile = runs.get("npm run -s lab -- plan --kubeconfig ~/.kube/config");
        assert.ok(existingAks && byFile);
        for (const [mode, result] of Object.entries({ existingAks, byFile, secure })) {
            assert.equal(result.status, 0, `${mode}: ${result.stderr}`);
            assert.equal(result.stderr, "", mode);
            assert.doesNotMatch(result.stdout, /^\s+at /m, mode);
            assert.match(result.stdout, /Errors:\n {2}\(none\)\n$/, mode);
        }
        assert.match(
            existingAks.stdout,
            /^SIMULATED: AKS cluster my-resource-group\/my-cluster: plan reads nothing from Azure, so its API server FQDN and user kubeconfig are simulated/m,
        );
        assert.match(existingAks.stdout, /read kubernetes:core\/v1:Namespace {2}lab-identity/);
        assert.match(byFile.stdout, /existingKubeconfig = \[secret\] {2}\(--kubeconfig\)/);
        assert.match(byFile.stdout, /^ {2}cluster = existing {2}\(--kubeconfig\)$/m);
        assert.doesNotMatch(byFile.stdout, /token/);
        assert.match(
            secure.stdout,
            /^SIMULATED: existingKubeconfig is encrypted in Pulumi\.secure\.yaml, and plan decrypts no secret offline/m,
        );
        assert.match(
            secure.stdout,
            /"KUBERNETES_SERVICE_HOST":"<server of the encrypted kubeconfig>"/,
        );
    });
    it("plan says on stderr what a preview would stop on, so a plan sent to a file does not fail silently", async () => {
        const dir = scratchDir("entry-plan-error-");
        const [noSource, badLine, noStack] = await Promise.all([
            shell(`npm run -s lab -- plan --set cluster=existing > ${dir}/plan.txt`, {
                LAB_STACK: "entry-point-plan",
            }),
            shell(`npm run -s lab -- plan --calico 4.0.0 > ${dir}/plan-4.txt`, {
                LAB_STACK: "entry-point-plan",
            }),
            shell("npm run -s lab -- plan", { LAB_STACK: "" }),
        ]);
        assert.equal(noSource.status, 1, noSource.stderr);
        assert.match(
            noSource.stderr,
            /^lab: plan: a preview would stop on: .*existingKubeconfig.*existingAksCluster/,
        );
        assert.equal(noSource.stderr.trim().split("\n").length, 1, noSource.stderr);
        assert.match(readFileSync(join(dir, "plan.txt"), "utf8"), /Errors:\n/);
        // A Calico release no AKS line ships is planned, and not called AKS-managed.
        assert.equal(badLine.status, 0, badLine.stderr);
        assert.match(
            badLine.stderr,
            /^lab: plan: --calico: Calico 4\.0\.0, a release no AKS line is known to ship/,
        );
        assert.doesNotMatch(readFileSync(join(dir, "plan-4.txt"), "utf8"), /AKS-managed/);
        assertUsageLine(noStack, /^lab: LAB_STACK must be a stack name .*, not ""/);
    });
    it("study --help is the study's own", async () => {
        const result = await shell("npm run -s lab -- study --help");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^npm run lab -- study: /);
        assert.doesNotMatch(result.stdout, /stack output|--set/);
    });
    it("an error outside a tool's own promise still ends in one line, never a stack trace", async () => {
        const main = join(PROJECT_DIR, "tools/cli/main.ts");
        const simulate = join(PROJECT_DIR, "tools/lab/plan/simulate.ts");
        const [stray, inApply] = await Promise.all([
            shell(
                `node --import tsx -e 'require(${JSON.stringify(main)}).runMain("tool", async () => { void Promise.reject(new Error("late\\nsecond line")); await new Promise((r) => setTimeout(r, 5000)); return 0; }, () => 3)'`,
            ),
            // An error inside an apply rejects a promise nobody awaits: the plan reports it as the program's error.
            shell(
                `node --import tsx -e '
const pulumi = require("@pulumi/pulumi");
require(${JSON.stringify(simulate)}).simulate({ project: "p", stack: "s", config: {}, secretKeys: [], calicoVersion: "3.31.2",
  program: async () => { const bad = pulumi.output("x").apply(() => { throw new Error("inside an apply"); });
    new pulumi.CustomResource("test:index:Thing", "thing", { value: bad }); return { bad }; } })
  .then((run) => { process.stdout.write(JSON.stringify(run.error)); });'`,
            ),
        ]);
        assert.equal(stray.status, 3, stray.stderr);
        assert.equal(stray.stderr, "tool: late second line\n");
        assert.equal(inApply.status, 0, inApply.stderr);
        assert.equal(inApply.stdout, JSON.stringify("inside an apply"));
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
