/** Reading parsed JSON of unknown shape (API objects, CRD schemas, tool reports) without a cast at every step. */

export type Unstructured = Record<string, unknown>;

/** The value as a JSON object, or undefined for anything else (arrays included). */
export const asRecord = (value: unknown): Unstructured | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Unstructured)
        : undefined;

/** The value at `path` in parsed JSON (object keys, or array indexes as strings), or undefined. */
export function field(object: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (value, key) =>
            typeof value === "object" && value !== null ? (value as Unstructured)[key] : undefined,
        object,
    );
}

/** The number at `path` in parsed JSON, or undefined. */
export const numberAt = (object: unknown, ...path: string[]): number | undefined => {
    const value = field(object, ...path);
    return typeof value === "number" ? value : undefined;
};
