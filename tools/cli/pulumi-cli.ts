/**
 * Which Pulumi CLI the tools run: `pulumi` on PATH when it is new enough for the pinned SDK, else
 * the SDK's own version in the user's cache folder, installed there on first use. Nobody has to
 * install the CLI by hand.
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { version as SDK_VERSION } from "@pulumi/pulumi/version";
import { describeError } from "./errors";

/** The CLI version the tools install: the one matching @pulumi/pulumi, as PulumiCommand.install defaults to. */
export const PINNED_CLI_VERSION = SDK_VERSION;

/** ${XDG_CACHE_HOME:-~/.cache}/aks-calico-lab/pulumi/<version>; a relative XDG_CACHE_HOME is ignored, as the XDG spec says. */
export function cliCacheRoot(
    env: NodeJS.ProcessEnv = process.env,
    home: string = homedir(),
    version: string = PINNED_CLI_VERSION,
): string {
    const xdg = env["XDG_CACHE_HOME"];
    const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, ".cache");
    return join(base, "aks-calico-lab", "pulumi", version);
}

/** What looking for a CLI in one place found: its command and version, or why it cannot be used. */
export type CliProbe =
    { readonly command: string; readonly version: string } | { readonly problem: string };

export type CliChoice =
    | {
          readonly action: "use";
          readonly command: string;
          readonly version: string;
          readonly where: "PATH" | "cache";
      }
    | { readonly action: "install"; readonly root: string; readonly reason: string }
    | { readonly action: "fail"; readonly message: string };

/**
 * PATH first (the user's own CLI, if the SDK accepts it), then the cache folder; otherwise install
 * there, or, for commands that must not download anything, say how to get one.
 */
export function chooseCli(
    found: { readonly path: CliProbe; readonly cache: CliProbe },
    wanted: { readonly root: string; readonly mayInstall: boolean },
): CliChoice {
    const { path, cache } = found;
    if (!("problem" in path)) return { action: "use", ...path, where: "PATH" };
    if (!("problem" in cache)) return { action: "use", ...cache, where: "cache" };
    const reason = `pulumi on PATH: ${path.problem}`;
    if (wanted.mayInstall) return { action: "install", root: wanted.root, reason };
    return {
        action: "fail",
        message:
            `no usable Pulumi CLI (${reason}; none in ${wanted.root}): ` +
            `\`npm run lab -- version\` installs ${PINNED_CLI_VERSION} there`,
    };
}

/**
 * Why PulumiCommand.get refused a CLI, in a few words. The wording is the SDK's
 * (@pulumi/pulumi 3.270.0 automation/cmd.js parseAndValidatePulumiVersion; execa's ENOENT).
 */
export function probeProblem(message: string): string {
    if (/ENOENT/.test(message)) return "not found";
    const tooOld = /your current CLI version is (\S+?)\.? Please/.exec(message);
    if (tooOld) return `version ${tooOld[1] ?? "?"} is older than ${PINNED_CLI_VERSION}`;
    const otherMajor = /You are using Pulumi CLI version (\S+)/.exec(message);
    if (otherMajor) return `version ${otherMajor[1] ?? "?"} is another major version`;
    return message.split("\n").find((line) => line.trim() !== "") ?? "unusable";
}

/** The Automation API's CLI lookup and installer (PulumiCommand), or a recording fake in tests. */
export interface CliInstaller<T> {
    /** PulumiCommand.get: the CLI on PATH, or the one under `root`; rejects when missing or too old. */
    get(root?: string): Promise<T>;
    /** PulumiCommand.install into `root`. */
    install(root: string): Promise<T>;
    describe(cli: T): { readonly command: string; readonly version: string };
}

export class NoPulumiCliError extends Error {
    override name = "NoPulumiCliError";
}

/** Finds (or installs) the CLI; `report` hears one line saying which one and where it came from. */
export async function findPulumiCli<T>(
    installer: CliInstaller<T>,
    options: {
        readonly root: string;
        readonly mayInstall: boolean;
        readonly report: (line: string) => void;
    },
): Promise<T> {
    const probe = async (root?: string): Promise<{ cli?: T; probe: CliProbe }> => {
        try {
            const cli = await installer.get(root);
            return { cli, probe: installer.describe(cli) };
        } catch (error) {
            return { probe: { problem: probeProblem(describeError(error)) } };
        }
    };
    const onPath = await probe();
    const inCache = onPath.cli === undefined ? await probe(options.root) : { probe: onPath.probe };
    const choice = chooseCli({ path: onPath.probe, cache: inCache.probe }, options);
    switch (choice.action) {
        case "use":
            options.report(
                `Pulumi CLI ${choice.version} (${choice.command}, from ${choice.where})`,
            );
            return (onPath.cli ?? inCache.cli) as T;
        case "install": {
            options.report(
                `installing the Pulumi CLI ${PINNED_CLI_VERSION} into ${choice.root} (${choice.reason})`,
            );
            const cli = await installer.install(choice.root).catch((error: unknown) => {
                throw new NoPulumiCliError(
                    `could not install the Pulumi CLI into ${choice.root}: ${describeError(error).split("\n")[0] ?? ""}; ` +
                        `install it yourself (${PINNED_CLI_VERSION} or newer, https://www.pulumi.com/docs/install/), ` +
                        "put its folder on PATH (the installer's default is ~/.pulumi/bin) and run the command again",
                );
            });
            const installed = installer.describe(cli);
            options.report(`Pulumi CLI ${installed.version} installed: ${installed.command}`);
            return cli;
        }
        case "fail":
            throw new NoPulumiCliError(choice.message);
    }
}
