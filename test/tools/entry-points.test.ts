/**
 * Every command a user types, run as the user runs it: --help exits 0 and lists the options; a
 * usage error exits 2 with one line naming what is wrong.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { closedUrl } from "../support/http-server";
import { PROJECT_DIR } from "../support/paths";

const ENTRY_POINTS = [
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

function run(script: string, args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_DIR, script), ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, PATH: "" },
        timeout: 30_000,
    });
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

describe("bench against a cluster it cannot reach", () => {
    it("says so once, exits 2, and deletes no namespace it never created", async () => {
        const server = new URL((await closedUrl()).replace("http:", "https:"));
        const dir = mkdtempSync(join(tmpdir(), "bench-unreachable-"));
        const kubeconfig = join(dir, "kubeconfig");
        writeFileSync(
            kubeconfig,
            [
                "apiVersion: v1",
                "kind: Config",
                `clusters: [{ name: lab, cluster: { server: "${server.origin}" } }]`,
                "users: [{ name: u, user: { token: t } }]",
                "contexts: [{ name: lab, context: { cluster: lab, user: u } }]",
                "current-context: lab",
            ].join("\n"),
        );
        const result = run("tools/bench/bench.ts", [
            "--kubeconfig",
            kubeconfig,
            "--results",
            join(dir, "results.json"),
        ]);
        assert.equal(result.status, 2, result.stderr);
        const lines = result.stderr
            .trim()
            .split("\n")
            .filter((l) => l.startsWith("bench:"));
        assert.equal(lines.length, 1, result.stderr);
        assert.match(
            lines[0] ?? "",
            /^bench: cannot reach the cluster's API server \(.*ECONNREFUSED/,
        );
        assert.doesNotMatch(result.stderr, /namespace/);
    });
});
