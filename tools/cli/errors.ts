/** How the tools put an error into one line. */

/** The `message` of a Kubernetes Status body (JSON text or parsed), if it is one. */
function statusMessage(body: unknown): string | undefined {
    let value = body;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    const message = (value as { kind?: unknown; message?: unknown } | null)?.message;
    return typeof message === "string" ? message : undefined;
}

/**
 * The Kubernetes client's ApiException in one line: its message is four (`HTTP-Code: …`,
 * `Message: …`, `Body: …`, `Headers: …`; @kubernetes/client-node 2.0.1 dist/gen/apis/exception.js).
 */
function apiException(error: Error): string | undefined {
    const code = /^HTTP-Code: (\d+)\n/.exec(error.message)?.[1];
    if (code === undefined) return undefined;
    const message = statusMessage((error as Error & { body?: unknown }).body);
    return `the API server answered HTTP ${code}${message === undefined ? "" : `: ${message}`}`;
}

/** An error's message with its cause (fetch hides ECONNREFUSED and friends behind "fetch failed"). */
export function describeError(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    const api = apiException(error);
    if (api !== undefined) return api;
    const cause: unknown = error.cause;
    return cause === undefined ? error.message : `${error.message} (${describeError(cause)})`;
}
