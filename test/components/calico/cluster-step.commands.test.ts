/**
 * The shell text of the switch's commands, run by /bin/sh as the command provider runs it
 * (`/bin/sh -c <text>` in the project's folder: pulumi/pulumi-command
 * provider/pkg/provider/local/commandOutputs.go run @v1.2.1).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { KEEP_LAST_OUTPUT } from "../../../components/calico/cluster-step";
import { clusterStepCommand } from "../../../components/calico/cluster-step-command";
import { PROJECT_DIR } from "../../support/paths";

/** The environment the provider gives a command: its own, with Node on the PATH. */
const providerEnv = (extra: Record<string, string> = {}) => ({
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    ...extra,
});

const sh = (text: string, env: Record<string, string>) =>
    spawnSync("/bin/sh", ["-c", text], { cwd: PROJECT_DIR, env, encoding: "utf8" });

describe("the switch's command lines under /bin/sh", () => {
    it("an update prints again, byte for byte, what the step printed when it last ran", () => {
        const stdout = "Calico's bpf dataplane is live on every node\n100% %s \\n";
        const stderr = "[0s] node-1: Felix not yet in eBPF mode\n[10s] converged";
        const run = sh(
            KEEP_LAST_OUTPUT,
            providerEnv({ PULUMI_COMMAND_STDOUT: stdout, PULUMI_COMMAND_STDERR: stderr }),
        );
        assert.equal(run.status, 0);
        assert.equal(run.stdout, stdout);
        assert.equal(run.stderr, stderr);
    });

    it("an update after a step that printed nothing prints nothing (the provider sets no variable)", () => {
        const run = sh(KEEP_LAST_OUTPUT, providerEnv());
        assert.deepEqual([run.status, run.stdout, run.stderr], [0, "", ""]);
    });

    it("a step runs the project's tool from the project's folder, and the shell becomes that process", async () => {
        const child = spawn("/bin/sh", ["-c", clusterStepCommand("--help")], {
            cwd: PROJECT_DIR,
            env: providerEnv(),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        // What the provider would kill on a cancel: the pid it started. Sampled while it runs.
        const seen = new Set<string>();
        const sample = setInterval(() => {
            try {
                const argv = readFileSync(`/proc/${String(child.pid)}/cmdline`, "utf8");
                seen.add(argv.split("\0").slice(0, 4).join(" "));
            } catch {
                // Gone: the run has ended.
            }
        }, 5);
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        clearInterval(sample);
        assert.equal(code, 0);
        assert.match(stdout, /wait-dataplane iptables\|bpf --since T/);
        assert.ok(
            seen.has("node --import tsx tools/cluster-step/cluster-step.ts"),
            `the started process ran: ${[...seen].join(" | ")}`,
        );
    });
});
