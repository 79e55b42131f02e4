/**
 * The build of the tier's later lines that `npm run test:cluster` runs beside the tests
 * (test/cluster/run.ts): a test that needs one of its parts waits for it while that build runs.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** The background build's process id, as the runner hands it to the tests. */
export const BUILD_PID_ENV = "LAB_TIER_BUILD_PID";

function running(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export interface WaitOptions {
    /** The background build's process id; from BUILD_PID_ENV when not given. */
    readonly pid?: number;
    readonly pollMs?: number;
    readonly log?: (line: string) => void;
}

/**
 * `find()`'s answer once it has one: while it throws (a part is missing) and the background build
 * runs, it is asked again every 5 s; once that build has ended, or with none, its error stands
 * (it names the command that builds the part).
 */
export async function whenBuilt<T>(find: () => T, options: WaitOptions = {}): Promise<T> {
    const {
        pid = Number(process.env[BUILD_PID_ENV]),
        pollMs = 5_000,
        log = (line) => process.stderr.write(`${line}\n`),
    } = options;
    let waited = false;
    for (;;) {
        try {
            return find();
        } catch (error) {
            if (!Number.isInteger(pid) || pid <= 0 || !running(pid)) throw error;
            if (!waited) {
                log(
                    `waiting for the background build (pid ${String(pid)}): ${error instanceof Error ? error.message : String(error)}`,
                );
                waited = true;
            }
        }
        await sleep(pollMs);
    }
}
