/**
 * Where the cluster tier's toolchain keeps what it builds, and under which key: a hash of
 * versions.json and the toolchain's scripts, so a change to either is a new cache folder.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface ModuleVersion {
    readonly module: string;
    readonly version: string;
}

/** One Calico release tree in ../shared/src the tier runs Felix from. */
export interface CalicoLine {
    /** The tag's commit (../shared/src/PROVENANCE.md), stamped into Felix as its git revision. */
    readonly commit: string;
}

export interface FelixVersions {
    readonly libbpf: string;
    /** Felix's BPFLogLevel on the tier: only the objects it loads at this level are built. */
    readonly bpfLogLevel: string;
    readonly lines: Readonly<Record<string, CalicoLine>>;
}

export interface Versions {
    readonly pulumi: ModuleVersion & { readonly sdkModule: string };
    readonly kubernetesProvider: ModuleVersion & {
        readonly sdkModule: string;
        readonly sdkVersion: string;
        readonly stamp: string;
    };
    readonly commandProvider: {
        readonly module: string;
        readonly source: string;
        readonly goProviderModule: string;
        readonly goProviderSource: string;
        readonly stamp: string;
    };
    readonly kubernetes: ModuleVersion & { readonly stagingVersion: string };
    readonly etcd: ModuleVersion;
    readonly kwok: ModuleVersion;
    readonly felix: FelixVersions;
}

const VERSIONS_FILE = join(__dirname, "versions.json");

/** Short hash of versions.json and every script here: a change to any is a new cache folder. */
export function toolchainKey(): string {
    const hash = createHash("sha256");
    const inputs = readdirSync(__dirname)
        .filter((name) => /\.(ts|json)$/.test(name) && !name.endsWith(".test.ts"))
        .sort();
    for (const name of inputs) {
        hash.update(name);
        hash.update(readFileSync(join(__dirname, name)));
    }
    return hash.digest("hex").slice(0, 12);
}

export function toolchainDir(): string {
    const cacheHome = process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
    return join(cacheHome, "aks-calico-lab", "cluster-tier", toolchainKey());
}

export function readVersions(): Versions {
    return JSON.parse(readFileSync(VERSIONS_FILE, "utf8")) as Versions;
}

/**
 * Runs a command to completion and returns its standard output. Its errors are the user's, unless
 * `quiet`: then they are shown only when it fails.
 */
export function run(
    command: string,
    args: readonly string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    quiet = false,
): string {
    const result = spawnSync(command, args, {
        cwd,
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", quiet ? "pipe" : "inherit"],
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
        throw new Error(
            `${command} ${args.join(" ")} (in ${cwd}) failed with ${result.status ?? result.signal}${quiet ? `: ${result.stderr.trim()}` : ""}`,
        );
    }
    return result.stdout;
}

/** The environment of every Go command here; Felix's build turns cgo on for libbpf. */
export function goEnv(cgo = false): NodeJS.ProcessEnv {
    return {
        ...process.env,
        CGO_ENABLED: cgo ? "1" : "0",
        // Never fetch a Go toolchain: the machine's Go builds everything.
        GOTOOLCHAIN: "local",
        // A generated module's go.sum is completed from the checksum database as the build goes.
        GOFLAGS: "-mod=mod -buildvcs=false",
    };
}

/** Go's -ldflags: stripped, with the given `-X` stamps. */
export function ldflags(stamps: Record<string, string>): string {
    return [
        "-s",
        "-w",
        ...Object.entries(stamps).map(([key, value]) => `-X '${key}=${value}'`),
    ].join(" ");
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)}s`;
}

/** Runs one build step, logged before and after, its time in ms kept in `times` under `name`. */
export function timedStep<T>(
    times: Record<string, number>,
    log: (line: string) => void,
    name: string,
    step: () => T,
): T {
    log(`building ${name} ...`);
    const start = Date.now();
    const result = step();
    times[name] = Date.now() - start;
    log(`built ${name} in ${seconds(times[name])}`);
    return result;
}
