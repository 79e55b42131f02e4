/** Polling with a deadline, for commands that wait on the cluster instead of sleeping. */
import { setTimeout as delay } from "node:timers/promises";

export interface PollOptions {
    /** Give up after this long. */
    readonly timeoutMs: number;
    /** Time between two looks. */
    readonly intervalMs: number;
    /**
     * How many looks in a row must find nothing pending. More than one rides over short dips,
     * such as Felix restarting on every node after its configuration changes.
     */
    readonly consecutive: number;
    /** Called after each look with what is still pending (empty when converged). */
    readonly onProgress?: (pending: readonly string[], elapsedMs: number) => void;
    readonly now?: () => number;
    readonly sleep?: (ms: number) => Promise<void>;
}

export class NotConvergedError extends Error {
    constructor(
        readonly what: string,
        readonly waitedMs: number,
        readonly pending: readonly string[],
    ) {
        super(
            `${what} did not converge within ${Math.round(waitedMs / 1000)}s; still waiting for:\n` +
                pending.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "NotConvergedError";
    }
}

/**
 * Calls `look` until it returns nothing pending `consecutive` times in a row, or the deadline
 * passes. A look that throws (an API server hiccup) counts as pending, with the error as reason.
 */
export async function pollUntilConverged(
    what: string,
    look: () => Promise<readonly string[]>,
    options: PollOptions,
): Promise<void> {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? delay;
    const start = now();
    let streak = 0;
    for (;;) {
        let pending: readonly string[];
        try {
            pending = await look();
        } catch (error) {
            pending = [`could not read the cluster: ${describeError(error)}`];
        }
        const elapsed = now() - start;
        options.onProgress?.(pending, elapsed);
        streak = pending.length === 0 ? streak + 1 : 0;
        if (streak >= options.consecutive) return;
        if (elapsed + options.intervalMs > options.timeoutMs) {
            throw new NotConvergedError(
                what,
                elapsed,
                pending.length > 0 ? pending : ["a stable streak of converged looks"],
            );
        }
        await sleep(options.intervalMs);
    }
}

/** An error's message with its cause (fetch hides ECONNREFUSED and friends behind "fetch failed"). */
export function describeError(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    const cause: unknown = error.cause;
    return cause === undefined ? error.message : `${error.message} (${describeError(cause)})`;
}
