/** Polling with a deadline, for tools that wait on the cluster or a URL instead of sleeping. */
import { setTimeout as delay } from "node:timers/promises";
import { describeError } from "./errors";

/** Time as the poller sees it: the real clock, or a fake one in tests. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => delay(ms) };

/** One look: done with a value, or still waiting for what `pending` says. */
export type Look<T> =
    | { readonly done: true; readonly value: T }
    | { readonly done: false; readonly pending: readonly string[] };

export interface PollOptions {
    /** Give up after this long. */
    readonly timeoutMs: number;
    /** Time between two looks. */
    readonly intervalMs: number;
    /** How many done looks in a row count as done (default 1). */
    readonly consecutive?: number;
    /** Called after each look with what is still pending (empty when done). */
    readonly onProgress?: (pending: readonly string[], elapsedMs: number) => void;
    readonly clock?: Clock;
}

/** How polling ended: `value` is set when it converged; otherwise `pending` says what was missing. */
export interface Polled<T> {
    readonly value?: T;
    readonly pending: readonly string[];
    readonly attempts: number;
    readonly elapsedMs: number;
}

/**
 * Calls `look` until it is done `consecutive` times in a row, or until another look would end
 * past the deadline. A look that throws ends the polling with that error.
 */
export async function pollUntil<T>(
    look: () => Promise<Look<T>>,
    options: PollOptions,
): Promise<Polled<T>> {
    const clock = options.clock ?? SYSTEM_CLOCK;
    const start = clock.now();
    let streak = 0;
    let attempts = 0;
    for (;;) {
        attempts++;
        const result = await look();
        const elapsedMs = clock.now() - start;
        const pending = result.done ? [] : result.pending;
        options.onProgress?.(pending, elapsedMs);
        streak = result.done ? streak + 1 : 0;
        if (result.done && streak >= (options.consecutive ?? 1)) {
            return { value: result.value, pending, attempts, elapsedMs };
        }
        if (elapsedMs + options.intervalMs > options.timeoutMs) {
            return {
                pending: pending.length > 0 ? pending : ["a stable streak of converged looks"],
                attempts,
                elapsedMs,
            };
        }
        await clock.sleep(options.intervalMs);
    }
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
 * Calls `look` until it returns nothing pending `consecutive` times in a row; throws
 * NotConvergedError at the deadline. A look that throws (an API server hiccup) counts as pending,
 * with the error as reason.
 */
export async function pollUntilConverged(
    what: string,
    look: () => Promise<readonly string[]>,
    options: PollOptions,
): Promise<void> {
    const polled = await pollUntil<true>(async () => {
        let pending: readonly string[];
        try {
            pending = await look();
        } catch (error) {
            pending = [`could not read the cluster (its API server): ${describeError(error)}`];
        }
        return pending.length === 0 ? { done: true, value: true } : { done: false, pending };
    }, options);
    if (polled.value === undefined) {
        throw new NotConvergedError(what, polled.elapsedMs, polled.pending);
    }
}
