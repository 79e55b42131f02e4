/** How the tools put an error into one line. */

/** An error's message with its cause (fetch hides ECONNREFUSED and friends behind "fetch failed"). */
export function describeError(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    const cause: unknown = error.cause;
    return cause === undefined ? error.message : `${error.message} (${describeError(cause)})`;
}
