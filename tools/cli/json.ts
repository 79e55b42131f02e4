/** Reading fields out of parsed JSON (API objects, tool reports) without casts at every step. */

type Unstructured = Record<string, unknown>;

/** The value at `path` in a parsed JSON object, or undefined. */
export function field(object: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (value, key) =>
            typeof value === "object" && value !== null ? (value as Unstructured)[key] : undefined,
        object,
    );
}

/** The number at `path` in a parsed JSON object, or undefined. */
export const numberAt = (object: unknown, ...path: string[]): number | undefined => {
    const value = field(object, ...path);
    return typeof value === "number" ? value : undefined;
};
