/** Asks a URL until it answers, for a bounded time: the load balancer or a rollout may be settling. */
import { setTimeout as delay } from "node:timers/promises";

export interface ProbeOptions {
    readonly timeoutMs: number;
    readonly intervalMs: number;
    /** Deadline of one request. */
    readonly requestTimeoutMs: number;
    readonly onAttempt?: (attempt: number, outcome: string) => void;
    readonly now?: () => number;
    readonly sleep?: (ms: number) => Promise<void>;
}

export interface ProbeResult {
    /** The last HTTP status; 2xx unless the deadline passed with only error pages. */
    readonly status: number;
    readonly attempts: number;
    readonly elapsedMs: number;
}

export class NoAnswerError extends Error {
    constructor(url: string, waitedMs: number, attempts: number, lastError: string) {
        super(
            `no answer from ${url} after ${attempts} attempt(s) in ${Math.round(waitedMs / 1000)}s ` +
                `(last: ${lastError}); is the LoadBalancer up and yaobank-customer ready?`,
        );
        this.name = "NoAnswerError";
    }
}

/**
 * GETs `url` until a 2xx answer or the deadline. At the deadline, an error page still counts (the
 * request reached the pod, and its log says from where); no answer at all is a NoAnswerError.
 */
export async function probeUntilAnswered(url: string, options: ProbeOptions): Promise<ProbeResult> {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? delay;
    const start = now();
    let attempts = 0;
    let lastStatus: number | undefined;
    let lastError = "";
    for (;;) {
        attempts++;
        try {
            const response = await fetch(url, {
                signal: AbortSignal.timeout(options.requestTimeoutMs),
                redirect: "manual",
            });
            await response.arrayBuffer();
            lastStatus = response.status;
            options.onAttempt?.(attempts, `HTTP ${response.status}`);
            if (response.ok) return { status: response.status, attempts, elapsedMs: now() - start };
        } catch (error) {
            lastError =
                error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
            options.onAttempt?.(attempts, lastError);
        }
        const elapsed = now() - start;
        if (elapsed + options.intervalMs > options.timeoutMs) {
            if (lastStatus !== undefined)
                return { status: lastStatus, attempts, elapsedMs: elapsed };
            throw new NoAnswerError(url, elapsed, attempts, lastError);
        }
        await sleep(options.intervalMs);
    }
}

function causeOf(error: Error): string {
    const cause: unknown = error.cause;
    return cause instanceof Error ? ` (${cause.message})` : "";
}
