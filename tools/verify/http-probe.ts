/** Asks a URL until it answers, for a bounded time: the load balancer or a rollout may be settling. */
import { describeError } from "../cli/errors";
import { pollUntil, type Clock } from "../cli/poll";

export interface ProbeOptions {
    readonly timeoutMs: number;
    readonly intervalMs: number;
    /** Deadline of one request. */
    readonly requestTimeoutMs: number;
    readonly onAttempt?: (attempt: number, outcome: string) => void;
    readonly clock?: Clock;
}

export interface ProbeResult {
    /** The last HTTP status; 2xx unless the deadline passed with only error pages. */
    readonly status: number;
    readonly attempts: number;
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
    let attempts = 0;
    let lastStatus: number | undefined;
    let lastError = "";
    const polled = await pollUntil<number>(async () => {
        attempts++;
        try {
            const response = await fetch(url, {
                signal: AbortSignal.timeout(options.requestTimeoutMs),
                redirect: "manual",
            });
            await response.arrayBuffer();
            lastStatus = response.status;
            options.onAttempt?.(attempts, `HTTP ${response.status}`);
            return response.ok
                ? { done: true, value: response.status }
                : { done: false, pending: [`HTTP ${response.status}`] };
        } catch (error) {
            lastError = describeError(error);
            options.onAttempt?.(attempts, lastError);
            return { done: false, pending: [lastError] };
        }
    }, options);
    const status = polled.value ?? lastStatus;
    if (status === undefined) throw new NoAnswerError(url, polled.elapsedMs, attempts, lastError);
    return { status, attempts };
}
