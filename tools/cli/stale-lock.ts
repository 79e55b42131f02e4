/**
 * Locks that a killed update left in the local state. The diy backend writes one file per update,
 * `.pulumi/locks/<org>/<project>/<stack>/<id>.json` with the pid, user, host and time, and removes
 * it only when the update ends; while any other lock file is there, every update stops with "the
 * stack is currently locked" and `pulumi cancel` deletes them all (pulumi/pulumi pkg/backend/diy
 * lock.go checkForLock and backend.go CancelCurrentUpdate @v3.276.0). An update killed outright
 * (SIGKILL, the OOM killer, a machine that died) never removes its lock. A lock written on this
 * machine by a process that no longer runs the Pulumi CLI is such a lock: the lab removes it before
 * an update and says so. Any other lock (a live update, another machine's) is left to the CLI.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative, sep } from "node:path";

/** The diy backend's lock folder for project-scoped stacks (its default organization). */
const LOCK_DIR = [".pulumi", "locks", "organization"];

export interface StackLock {
    /** The lock file, relative to the state folder. */
    readonly file: string;
    readonly pid: number;
    readonly hostname: string;
    readonly timestamp: string;
}

/** The locks of `stack` whose process ran on `host` and is gone (`alive` says which pids still run the CLI). */
export function staleLocks(
    locks: readonly StackLock[],
    host: string,
    alive: (pid: number) => boolean,
): StackLock[] {
    return locks.filter((lock) => lock.hostname === host && !alive(lock.pid));
}

/** What the lab says of a stale lock it removed, in one line. */
export const staleLockLine = (stack: string, lock: StackLock): string =>
    `removed stack ${stack}'s lock from ${lock.timestamp}: its update (pid ${String(lock.pid)} on ` +
    `this machine) no longer runs; it was killed before it could unlock`;

/** The lock files of one stack in a local state folder (none when the folder has none). */
export function readStackLocks(stateDir: string, project: string, stack: string): StackLock[] {
    const dir = join(stateDir, ...LOCK_DIR, project, stack);
    let names: string[];
    try {
        names = readdirSync(dir).filter((name) => name.endsWith(".json"));
    } catch {
        return [];
    }
    return names.flatMap((name) => {
        const path = join(dir, name);
        try {
            const content = JSON.parse(readFileSync(path, "utf8")) as Partial<StackLock>;
            if (typeof content.pid !== "number" || typeof content.hostname !== "string") return [];
            return [
                {
                    file: relative(stateDir, path).split(sep).join("/"),
                    pid: content.pid,
                    hostname: content.hostname,
                    timestamp: content.timestamp ?? "an unknown time",
                },
            ];
        } catch {
            // Being written or removed by a live update: the CLI judges it.
            return [];
        }
    });
}

/**
 * Whether `pid` may still be the update that wrote a lock: a live process, and where /proc shows
 * its command (Linux), one running the Pulumi CLI (a reused pid runs something else). Without
 * /proc (macOS), any live process counts, so a running update's lock is never taken.
 */
export function runsPulumi(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        // EPERM: alive, and another user's.
        if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
    }
    let cmdline: string;
    try {
        cmdline = readFileSync(`/proc/${String(pid)}/cmdline`, "utf8");
    } catch {
        return true;
    }
    const [program = ""] = cmdline.split("\0");
    return /(^|\/)pulumi$/.test(program);
}

/** Removes the stack's stale locks; returns one line for each. */
export function removeStaleLocks(
    stateDir: string,
    project: string,
    stack: string,
    alive: (pid: number) => boolean = runsPulumi,
): string[] {
    const stale = staleLocks(readStackLocks(stateDir, project, stack), hostname(), alive);
    for (const lock of stale) rmSync(join(stateDir, lock.file), { force: true });
    return stale.map((lock) => staleLockLine(stack, lock));
}
