/** Reading parsed API objects (JSON of unknown shape) in core's pure functions. */

export type Unstructured = Record<string, unknown>;

/** The value as a JSON object, or undefined for anything else (arrays included). */
export const asRecord = (value: unknown): Unstructured | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Unstructured)
        : undefined;

/** The value at `path` of nested JSON objects, or undefined. */
export function valueAt(object: unknown, path: readonly string[]): unknown {
    return path.reduce<unknown>((node, key) => asRecord(node)?.[key], object);
}
