import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
    readStackLocks,
    removeStaleLocks,
    runsPulumi,
    staleLocks,
    type StackLock,
} from "../../../tools/cli/stale-lock";
import { scratchDir } from "../../support/scratch";

/** A lock file as the diy backend writes it (pkg/backend/diy/lock.go lockContent @v3.276.0). */
function writeLock(stateDir: string, stack: string, id: string, pid: number, host = hostname()) {
    const dir = join(stateDir, ".pulumi", "locks", "organization", "aks-calico-lab", stack);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${id}.json`);
    writeFileSync(
        file,
        JSON.stringify({
            pid,
            username: "root",
            hostname: host,
            timestamp: "2026-12-06T16:01:02Z",
        }),
    );
    return file;
}

/** The pid of a process that has ended. */
function deadPid(): number {
    const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    return Number(child.stdout.trim());
}

describe("stale locks", () => {
    const lock = (pid: number, host: string): StackLock => ({
        file: `f${String(pid)}`,
        pid,
        hostname: host,
        timestamp: "t",
    });
    it("are this machine's locks whose process is gone; another machine's or a live one's are kept", () => {
        const alive = (pid: number) => pid === 2;
        assert.deepEqual(
            staleLocks([lock(1, "here"), lock(2, "here"), lock(3, "there")], "here", alive).map(
                (l) => l.pid,
            ),
            [1],
        );
    });
    it("are read from the stack's own lock folder and removed, each with one line", () => {
        const state = scratchDir("stale-lock-");
        const gone = writeLock(state, "dev", "a", deadPid());
        const live = writeLock(state, "dev", "b", process.pid);
        const elsewhere = writeLock(state, "dev", "c", deadPid(), "another-machine");
        const otherStack = writeLock(state, "prod", "d", deadPid());
        assert.equal(readStackLocks(state, "aks-calico-lab", "dev").length, 3);
        const lines = removeStaleLocks(
            state,
            "aks-calico-lab",
            "dev",
            (pid) => pid === process.pid,
        );
        assert.equal(lines.length, 1);
        assert.match(
            lines[0] ?? "",
            /^removed stack dev's lock from 2026-12-06T16:01:02Z: .*pid \d+/,
        );
        assert.ok(!lines[0]?.includes("\n"));
        assert.deepEqual(
            [gone, live, elsewhere, otherStack].map((file) => existsSync(file)),
            [false, true, true, true],
        );
    });
    it("none in a state folder without locks", () => {
        assert.deepEqual(removeStaleLocks(scratchDir("stale-lock-"), "aks-calico-lab", "dev"), []);
    });
    it("a pid runs the CLI only while a process named pulumi has it", () => {
        assert.equal(runsPulumi(deadPid()), false);
        // This process is node: a reused pid is not the update that locked.
        assert.equal(runsPulumi(process.pid), false);
        const child = spawn("sleep", ["30"], { argv0: "/usr/local/bin/pulumi", stdio: "ignore" });
        try {
            assert.equal(runsPulumi(child.pid ?? 0), true);
        } finally {
            child.kill();
        }
    });
});
