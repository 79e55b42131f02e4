import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { parseCpuLog, vcpuBetween } from "../../../tools/bench/cpu";
import { samplerPod } from "../../../tools/bench/pods";
import { syntheticCpuLog } from "../../support/bench";

describe("CPU accounting from /proc/stat", () => {
    it("gives the busy vCPUs between two snapshots", () => {
        const log = parseCpuLog(
            [
                "cpus 2",
                "100 cpu  1000 0 500 8000 100 0 0 0 0 0",
                "110 cpu  1600 0 700 9100 100 0 100 0 0 0",
            ].join("\n"),
        );
        // total +2000 jiffies, idle+iowait +1100: busy 900 of 2000 on 2 CPUs = 0.9 vCPU.
        assert.ok(Math.abs((vcpuBetween(log, 100, 110) ?? 0) - 0.9) < 1e-9);
    });

    it("brackets the window with the samples around it, and refuses a window it does not cover", () => {
        const log = parseCpuLog(syntheticCpuLog(4, 0, 20, (t) => (t >= 5 && t < 15 ? 300 : 50)));
        assert.ok(Math.abs((vcpuBetween(log, 5, 15) ?? 0) - 3) < 1e-9);
        assert.ok(Math.abs((vcpuBetween(log, 0, 5) ?? 0) - 0.5) < 1e-9);
        assert.equal(vcpuBetween(log, 15, 30), undefined);
        assert.throws(() => parseCpuLog("1 cpu 1 2 3 4"), /no `cpus <n>` line/);
    });

    it(
        "reads what the sampler pod's own script prints on a real Linux /proc/stat",
        { skip: process.platform !== "linux" },
        async () => {
            const container = (
                samplerPod("t", "client", "n").spec as { containers: { command: string[] }[] }
            ).containers[0];
            const [shell = "", ...args] = container?.command ?? [];
            const output = await new Promise<string>((resolve) => {
                const child = spawn(shell, args);
                let text = "";
                child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
                setTimeout(() => child.kill(), 2500);
                child.on("close", () => {
                    resolve(text);
                });
            });
            const log = parseCpuLog(output);
            assert.ok(log.cpus >= 1);
            assert.ok(log.samples.length >= 2, output);
            const [first, last] = [log.samples[0], log.samples.at(-1)];
            const used = vcpuBetween(log, first?.time ?? 0, last?.time ?? 0);
            assert.ok(used !== undefined && used >= 0 && used <= log.cpus, String(used));
        },
    );
});
