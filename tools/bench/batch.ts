/** Many API calls without flooding the API server: a bounded number in flight, transient errors retried. */
import { field } from "../../core/unstructured";
import type { Clock } from "../cli/poll";

/**
 * Runs `work` on every item with at most `limit` running at once, calling `onDone` with the count
 * finished so far. The first failure stops new work; it is thrown once the running ones end.
 */
export async function forEachBounded<T>(
    items: readonly T[],
    limit: number,
    work: (item: T) => Promise<void>,
    onDone: (done: number) => void = () => undefined,
): Promise<void> {
    let next = 0;
    let done = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
        while (failure === undefined && next < items.length) {
            const item = items[next++] as T;
            try {
                await work(item);
                onDone(++done);
            } catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure !== undefined) throw failure.error;
}

/** Too many requests, or a server error that a retry may not meet. */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** Calls `call`, retrying a transient API error up to `attempts` times in all, backing off 1 s, 2 s, 4 s… */
export async function withRetry<T>(call: () => Promise<T>, clock: Clock, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await call();
        } catch (error) {
            const status = field(error, "code");
            if (attempt >= attempts || typeof status !== "number" || !TRANSIENT_STATUS.has(status))
                throw error;
            await clock.sleep(1000 * 2 ** (attempt - 1));
        }
    }
}
