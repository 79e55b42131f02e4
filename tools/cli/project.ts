/** Where the lab's project and its local state are, and which stack the tools use by default. */
import { join } from "node:path";

/** The Pulumi project's folder: two levels above tools/cli. */
export const PROJECT_DIR = join(__dirname, "..", "..");

/** The folder of the local state backend, beside Pulumi.yaml (which names it too). */
export const STATE_DIR = join(PROJECT_DIR, ".pulumi-state");

/** The stack the tools use: $LAB_STACK, else `dev`. */
export function stackName(env: NodeJS.ProcessEnv = process.env): string {
    return env["LAB_STACK"] ?? "dev";
}
