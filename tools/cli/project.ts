/** Where the lab's project and its local state are, and which stack the tools use by default. */
import { join } from "node:path";
import { UsageError } from "./args";

/** The Pulumi project's folder: two levels above tools/cli. */
export const PROJECT_DIR = join(__dirname, "..", "..");

/** The Pulumi project's name, as Pulumi.yaml gives it. */
export const PROJECT_NAME = "aks-calico-lab";

/** The folder of the local state backend, beside Pulumi.yaml (which names it too). */
export const STATE_DIR = join(PROJECT_DIR, ".pulumi-state");

/**
 * What the local backend takes as a stack name (pulumi/pulumi pkg/backend/diy/backend.go
 * validateStackName @v3.276.0: `^[A-Za-z0-9_.-]{1,100}$`, no slashes). The lab names the stack's
 * settings file after it (Pulumi.<stack>.yaml), so a name is checked before any file is read.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A stack name as typed (`where` says how: `--stack`, `LAB_STACK`); a usage error otherwise. */
export function checkedStackName(name: string, where: string): string {
    if (!STACK_NAME.test(name))
        throw new UsageError(
            `${where} must be a stack name (1 to 100 letters, digits, "-", "_" or "."), not "${name}"`,
        );
    return name;
}

/** The stack the tools use when LAB_STACK names none. */
const DEFAULT_STACK = "dev";

/** The stack the tools use: $LAB_STACK, else `dev`. */
export function stackName(env: NodeJS.ProcessEnv = process.env): string {
    const name = env["LAB_STACK"];
    return name === undefined ? DEFAULT_STACK : checkedStackName(name, "LAB_STACK");
}

/** How a user runs `npm run lab -- <args>` on `stack` (LAB_STACK names any stack but the default). */
export const labCommandFor = (stack: string, args: string): string =>
    `${stack === DEFAULT_STACK ? "" : `LAB_STACK=${stack} `}npm run lab -- ${args}`;

/** A tool's `--stack NAME`, else the default stack. */
export const stackOption = (option: string | undefined, env: NodeJS.ProcessEnv): string =>
    option === undefined ? stackName(env) : checkedStackName(option, "--stack");
