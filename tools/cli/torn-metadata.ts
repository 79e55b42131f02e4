/**
 * Metadata files a killed update left torn in the local state. The diy backend stores its files in
 * a gocloud.dev `file://` bucket, which keeps each file's attributes in a sidecar `<file>.attrs`
 * (JSON). It writes the file itself to a temporary name and renames it into place, but the sidecar
 * in place, before that rename: `os.Create`, then encode (gocloud.dev
 * blob/fileblob/fileblob.go writerWithSidecar.Close and attrs.go setAttrs @v0.46.1-0.20260810195832-b5401c07b5f1,
 * the version pulumi/pulumi pkg/go.mod @v3.276.0 pins). An update killed in between leaves the
 * sidecar empty or cut short beside the previous, whole file, and every read of that file fails
 * (`failed to load checkpoint: EOF`, seen on the cluster tier's fault 1b), while a missing sidecar
 * reads as no attributes (attrs.go getAttrs). So the lab removes the torn ones before it opens the
 * stack and says so.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, sep } from "node:path";

const SIDECAR = ".attrs";

/** Whether a sidecar's text is the JSON object fileblob writes. */
export function isWholeSidecar(text: string): boolean {
    try {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
    } catch {
        return false;
    }
}

/** The torn sidecars under the state folder's `.pulumi`, relative to the state folder. */
export function tornSidecars(stateDir: string): string[] {
    let entries: string[];
    try {
        entries = readdirSync(join(stateDir, ".pulumi"), { recursive: true, encoding: "utf8" });
    } catch {
        return [];
    }
    return entries
        .filter((entry) => entry.endsWith(SIDECAR))
        .map((entry) => join(".pulumi", entry).split(sep).join("/"))
        .filter((file) => {
            try {
                return !isWholeSidecar(readFileSync(join(stateDir, file), "utf8"));
            } catch {
                // A folder so named, or gone since the listing: not a torn sidecar.
                return false;
            }
        })
        .sort();
}

/** What the lab says of the torn sidecars it removed, in one line (none when there were none). */
export function tornSidecarLines(removed: readonly string[]): string[] {
    if (removed.length === 0) return [];
    return [
        `removed ${String(removed.length)} torn metadata file(s) from the state folder, left by an ` +
            `update killed while writing them: ${removed.join(", ")}; the files they describe are ` +
            `whole and read without them`,
    ];
}

/** Removes the torn sidecars; returns the line to report. */
export function removeTornSidecars(stateDir: string): string[] {
    const torn = tornSidecars(stateDir);
    for (const file of torn) rmSync(join(stateDir, file), { force: true });
    return tornSidecarLines(torn);
}
