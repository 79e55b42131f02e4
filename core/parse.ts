/** Checks on raw text, and its clipping, that config, commands and tools share. */

/** Whether `raw` is one of `values`, narrowing it to their type. */
export function isOneOf<T extends string>(values: readonly T[], raw: string): raw is T {
    return (values as readonly string[]).includes(raw);
}

/**
 * A whole number from 1 to `max` written in plain decimal digits (no sign, space or leading zero,
 * so that " 3" and "03" are judged alike), or undefined.
 */
export function positiveInteger(raw: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (!/^[1-9][0-9]*$/.test(raw)) return undefined;
    const value = Number(raw);
    return value <= max ? value : undefined;
}

/** `text` cut to at most `maxChars` characters, its last one `…` when anything was cut. */
export function clipped(text: string, maxChars: number): string {
    return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
