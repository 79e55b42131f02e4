import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import {
    aboveBaseline,
    addCpu,
    cpuBetween,
    lastSampleTime,
    parseCpuLog,
    type CpuUse,
} from "../../../tools/bench/cpu";
import { SAMPLER_SCRIPT } from "../../../tools/bench/pods";
import { cpuUse, syntheticCpuLog } from "../../support/bench";

const close = (actual: number | undefined, expected: number) => {
    assert.ok(Math.abs((actual ?? NaN) - expected) < 1e-9, `${actual} != ${expected}`);
};

describe("CPU accounting from /proc/stat", () => {
    it("gives the busy vCPUs between two snapshots, split by kind", () => {
        //        user nice system idle iowait irq softirq steal guest guest_nice
        const log = parseCpuLog(
            [
                "cpus 2",
                "100 cpu  1000 0 500 8000 100 0 0 0 0 0",
                "110 cpu  1600 0 700 9100 100 0 100 0 0 0",
            ].join("\n"),
        );
        // total +2000 jiffies; user 600 + system 200 + softirq 100 busy = 900 of 2000 on 2 CPUs.
        const use = cpuBetween(log, 100, 110);
        close(use?.busy, 0.9);
        close(use?.user, 0.6);
        close(use?.system, 0.2);
        close(use?.softirq, 0.1);
    });

    it("counts iowait as idle when iowait grows between the samples", () => {
        const log = parseCpuLog(
            [
                "cpus 2",
                "100 cpu  1000 0 500 8000 100 0 0 0 0 0",
                "110 cpu  1200 0 600 8700 1100 0 0 0 0 0",
            ].join("\n"),
        );
        // total +2000: user 200 + system 100 busy; idle 700 and iowait 1000 are both not busy.
        close(cpuBetween(log, 100, 110)?.busy, 0.3);
    });

    it("reports steal apart and does not count it as busy; guest is already in user", () => {
        const log = parseCpuLog(
            [
                "cpus 1",
                "100 cpu  100 0 0 100 0 0 0 0 50 0",
                "101 cpu  150 0 0 130 0 0 0 20 80 0",
            ].join("\n"),
        );
        // total +100 (user 50, idle 30, steal 20); guest +30 is inside user's 50, not added again.
        const use = cpuBetween(log, 100, 101);
        close(use?.busy, 0.5);
        close(use?.user, 0.5);
        close(use?.steal, 0.2);
    });

    it("brackets the window with the samples around it, and refuses a window it does not cover", () => {
        const log = parseCpuLog(syntheticCpuLog(4, 0, 20, (t) => (t >= 5 && t < 15 ? 300 : 50)));
        close(cpuBetween(log, 5, 15)?.busy, 3);
        close(cpuBetween(log, 0, 5)?.busy, 0.5);
        assert.equal(cpuBetween(log, 15, 30), undefined);
        assert.equal(lastSampleTime(log), 20);
        assert.throws(() => parseCpuLog("1 cpu 1 2 3 4"), /no `cpus <n>` line/);
    });

    it("reads the fractional timestamps the sampler prints", () => {
        const log = parseCpuLog("cpus 1\nmtu 1500\n100.25 cpu 1 0 0 1 0 0 0 0 0 0\n");
        assert.equal(lastSampleTime(log), 100.25);
    });

    it("removes the idle baseline kind by kind, never going below zero", () => {
        const use: CpuUse = {
            user: 0.4,
            system: 0.2,
            irq: 0,
            softirq: 0.6,
            steal: 0.05,
            busy: 1.2,
        };
        const above = aboveBaseline(use, cpuUse(0.4));
        close(above.softirq, 0.4);
        close(above.user, 0.3);
        close(above.system, 0.1);
        close(above.steal, 0.04);
        close(above.busy, 0.8);
        close(aboveBaseline(cpuUse(0.1), cpuUse(0.4)).busy, 0);
        close(addCpu(cpuUse(1), cpuUse(2)).softirq, 1.5);
    });

    it(
        "reads what the sampler pod's own script prints on a real Linux /proc/stat",
        { skip: process.platform !== "linux" },
        async () => {
            const output = await new Promise<string>((resolve) => {
                const child = spawn("/bin/sh", ["-c", SAMPLER_SCRIPT]);
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
            assert.ok(
                (first?.time ?? 0) % 1 !== 0 || (last?.time ?? 0) % 1 !== 0,
                "sub-second stamps",
            );
            const used = cpuBetween(log, first?.time ?? 0, last?.time ?? 0);
            assert.ok(
                used !== undefined && used.busy >= 0 && used.busy <= log.cpus,
                String(used?.busy),
            );
        },
    );
});
