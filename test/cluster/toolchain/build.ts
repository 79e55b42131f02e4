/**
 * Builds the cluster tier's binaries from their Go modules, through the Go module proxy, and real
 * Felix from ../shared/src (felix.ts), into a cache folder keyed by a hash of versions.json and the
 * toolchain's scripts (cache.ts): rebuilt only when one changes.
 * Sequential (the machine has 2 cores), CGO off (Felix: on, for libbpf), -trimpath. Nothing
 * fetched is committed: every go.mod below is generated in the cache's scratch folder.
 *
 * Run: `npm run build:cluster`. The harness and the tier's tests find the binaries with
 * `clusterBinDir()` and `requireClusterBinaries()`, and each Calico line's Felix with
 * `felixBuild()` and `requireFelix()`.
 */
import {
    cpSync,
    existsSync,
    mkdirSync,
    readFileSync,
    renameSync,
    rmSync,
    writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
    type ModuleVersion,
    type Versions,
    goEnv,
    ldflags,
    readVersions,
    run as runIn,
    seconds,
    timedStep,
    toolchainDir,
    toolchainKey,
} from "./cache";
import { buildFelixLines, type FelixBuild, felixBuildIn, missingParts } from "./felix";
import { UsageError } from "../../../tools/cli/args";
import { buildOperators } from "./operator-build";

/** Every binary the tier needs, in build order. */
export const CLUSTER_BINARIES = [
    "pulumi",
    "etcd",
    "kwok",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "pulumi-resource-kubernetes",
    "pulumi-resource-command",
] as const;

export type ClusterBinary = (typeof CLUSTER_BINARIES)[number];

/** Where the built binaries are, for the harness and the tier's tests. */
export function clusterBinDir(): string {
    return join(toolchainDir(), "bin");
}

/** The bin dir, or an error naming what is missing and the command that builds it. */
export function requireClusterBinaries(): string {
    const bin = clusterBinDir();
    const missing = CLUSTER_BINARIES.filter((name) => !existsSync(join(bin, name)));
    if (missing.length > 0) {
        throw new Error(
            `cluster tier binaries missing in ${bin}: ${missing.join(", ")} (run: npm run build:cluster)`,
        );
    }
    return bin;
}

/** A module's folder in the Go module cache (downloaded through the proxy if missing). */
export function goModuleDir(component: "kwok" | "kubernetes"): string {
    const { module, version } = readVersions()[component];
    return download(homedir(), module, version).dir;
}

/** The Calico lines the tier runs Felix for, e.g. `v3.31.2` (versions.json `felix.lines`). */
export function felixLines(): string[] {
    return Object.keys(readVersions().felix.lines);
}

/** Where one line's Felix and BPF objects are (built or not); `3.31.2` and `v3.31.2` both name a line. */
export function felixBuild(calicoVersion: string): FelixBuild {
    const version = calicoVersion.startsWith("v") ? calicoVersion : `v${calicoVersion}`;
    const line = readVersions().felix.lines[version];
    if (!line) {
        throw new Error(
            `no Felix build for Calico ${calicoVersion}; the tier builds ${felixLines().join(", ")} (versions.json felix.lines)`,
        );
    }
    return felixBuildIn(toolchainDir(), version);
}

/** One line's Felix build, or an error naming what is missing and the command that builds it. */
export function requireFelix(calicoVersion: string): FelixBuild {
    const build = felixBuild(calicoVersion);
    const missing = missingParts(build);
    if (missing.length > 0) {
        throw new Error(
            `Felix for Calico ${build.calicoVersion} missing: ${missing.join(", ")} (run: npm run build:cluster)`,
        );
    }
    return build;
}

/** A pinned version from versions.json, for the harness's stamps. */
export function toolchainVersion(component: "kubernetes" | "kwok" | "etcd"): string {
    return readVersions()[component].version;
}

function run(command: string, args: readonly string[], cwd: string, env = goEnv()): string {
    return runIn(command, args, cwd, env);
}

interface DownloadedModule {
    readonly dir: string;
    readonly goMod: string;
    readonly commit: string;
    readonly time: string;
}

/** `go mod download -json`: the module's folder in the module cache, its go.mod and its commit. */
function download(cwd: string, module: string, version: string): DownloadedModule {
    const env = { ...goEnv(), GOFLAGS: "-buildvcs=false" };
    const info = JSON.parse(
        run("go", ["mod", "download", "-json", `${module}@${version}`], cwd, env),
    ) as {
        Dir: string;
        GoMod: string;
        Time?: string;
        Origin?: { Hash?: string };
    };
    return {
        dir: info.Dir,
        goMod: readFileSync(info.GoMod, "utf8"),
        commit: info.Origin?.Hash ?? "",
        time: info.Time ?? "",
    };
}

interface Replace {
    readonly from: string;
    readonly to: string;
}

/** The replace directives of a go.mod, both the one-line and the block form. */
function replacesOf(goMod: string): Replace[] {
    const replaces: Replace[] = [];
    let inBlock = false;
    for (const raw of goMod.split("\n")) {
        const line = raw.replace(/\/\/.*$/, "").trim();
        if (line === "replace (") {
            inBlock = true;
            continue;
        }
        if (inBlock && line === ")") {
            inBlock = false;
            continue;
        }
        const body = inBlock
            ? line
            : line.startsWith("replace ")
              ? line.slice("replace ".length)
              : "";
        const match = /^(\S+)(?:\s+\S+)?\s+=>\s+(.+)$/.exec(body);
        if (match?.[1] && match[2]) replaces.push({ from: match[1], to: match[2].trim() });
    }
    return replaces;
}

function isLocalPath(target: string): boolean {
    return target.startsWith("./") || target.startsWith("../") || target.startsWith("/");
}

function requires(goMod: string, module: string): boolean {
    return new RegExp(`^\\s*(require\\s+)?${module.replace(/[.]/g, "\\.")}\\s+v`, "m").test(goMod);
}

function directives(goMod: string, keyword: string): string[] {
    return goMod.split("\n").filter((line) => line.startsWith(`${keyword} `));
}

interface GeneratedModule {
    readonly name: string;
    readonly go: string;
    readonly requires: readonly ModuleVersion[];
    readonly replaces: readonly string[];
    readonly godebug?: readonly string[];
    /** go.sum files to start from, so the checksum database is asked only for what is new. */
    readonly sumsFrom: readonly string[];
}

/** A small module of our own whose requirements and replaces make upstream's main packages build. */
function writeModule(dir: string, module: GeneratedModule): void {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const lines = [
        `module aks-calico-lab.local/cluster-tier/${module.name}`,
        "",
        `go ${module.go}`,
        "",
        ...(module.godebug ?? []),
        "",
        "require (",
        ...module.requires.map((r) => `\t${r.module} ${r.version}`),
        ")",
        "",
        ...(module.replaces.length > 0
            ? ["replace (", ...module.replaces.map((r) => `\t${r}`), ")"]
            : []),
    ];
    writeFileSync(join(dir, "go.mod"), `${lines.join("\n")}\n`);
    const sums = module.sumsFrom.filter(existsSync).map((file) => readFileSync(file, "utf8"));
    writeFileSync(
        join(dir, "go.sum"),
        [...new Set(sums.join("\n").split("\n"))].filter(Boolean).join("\n") + "\n",
    );
}

function goVersionOf(goMod: string): string {
    const line = directives(goMod, "go")[0];
    if (!line) throw new Error("go.mod has no go directive");
    return line.slice(3).trim();
}

function goBuild(
    cwd: string,
    output: string,
    target: string,
    stamps: Record<string, string>,
    tags = "",
): void {
    const args = ["build", "-trimpath", "-ldflags", ldflags(stamps), "-o", output];
    if (tags) args.push("-tags", tags);
    run("go", [...args, target], cwd);
}

/** Builds one binary into a temporary name and renames it, so a failed build never looks done. */
type Recipe = (work: string, output: string, versions: Versions) => void;

const recipes: Record<ClusterBinary, Recipe> = {
    // pkg/go.mod replaces sdk/v3 => ../sdk and atotto/clipboard => tgummerer/clipboard; a replace in
    // a dependency is ignored, so the generated module requires sdk/v3 at the same version and
    // re-declares the non-local replaces. Flags and tags from .goreleaser.yml (pulumi/pulumi).
    pulumi(work, output, { pulumi }) {
        const pkg = download(work, pulumi.module, pulumi.version);
        const sdk = download(work, pulumi.sdkModule, pulumi.version);
        const dir = join(work, "module");
        writeModule(dir, {
            name: "pulumi",
            go: goVersionOf(pkg.goMod),
            requires: [pulumi, { module: pulumi.sdkModule, version: pulumi.version }],
            replaces: replacesOf(pkg.goMod)
                .filter((r) => !isLocalPath(r.to))
                .map((r) => `${r.from} => ${r.to}`),
            sumsFrom: [join(pkg.dir, "go.sum"), join(sdk.dir, "go.sum")],
        });
        goBuild(
            dir,
            output,
            `${pulumi.module}/cmd/pulumi`,
            { "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": pulumi.version },
            "osusergo,grpcnotrace",
        );
    },
    // The provider's Makefile (pulumi/pulumi-kubernetes, tag v4.25.0, target `provider`):
    // `VERSION=$(VERSION_GENERIC) go generate cmd/pulumi-resource-kubernetes/main.go`, which writes
    // the gitignored schema-embed.json and terraform-mapping-embed.json, then `CGO_ENABLED=0 go build
    // -ldflags "-X .../provider/v4/pkg/version.Version=..."`. Done in a writable copy of the module,
    // with its sdk/v4 => ../sdk replace dropped for the required, served sdk/v4 version.
    "pulumi-resource-kubernetes"(work, output, { kubernetesProvider: provider }) {
        const module = download(work, provider.module, provider.version);
        download(work, provider.sdkModule, provider.sdkVersion);
        if (!requires(module.goMod, provider.sdkModule)) {
            throw new Error(`${provider.module} no longer requires ${provider.sdkModule}`);
        }
        const dir = join(work, "module");
        rmSync(dir, { recursive: true, force: true });
        cpSync(module.dir, dir, { recursive: true });
        run("chmod", ["-R", "u+w", dir], work);
        run(
            "go",
            [
                "mod",
                "edit",
                `-dropreplace=${provider.sdkModule}`,
                `-require=${provider.sdkModule}@${provider.sdkVersion}`,
            ],
            dir,
        );
        run("go", ["generate", "./cmd/pulumi-resource-kubernetes"], dir, {
            ...goEnv(),
            VERSION: provider.stamp,
        });
        goBuild(dir, output, "./cmd/pulumi-resource-kubernetes", {
            [`${provider.module}/pkg/version.Version`]: provider.stamp,
        });
    },
    // The switch's steps (@pulumi/command). Built as PROVENANCE.md of ../shared/src says: in a
    // writable copy of the release tree's provider/, pulumi-go-provider replaced by a copy of its
    // tree, then `go build ./cmd/pulumi-resource-command`, stamped so the plugin reports the
    // version npm's @pulumi/command asks for (main.go serves pkg/version.Version, "0.7.1" unstamped).
    "pulumi-resource-command"(work, output, { commandProvider: provider }) {
        const sources = process.env["LAB_SHARED_SRC"] ?? join(__dirname, "../../../../shared/src");
        const dir = join(work, "provider");
        const goProvider = join(work, "pulumi-go-provider");
        for (const [from, to] of [
            [provider.source, dir],
            [provider.goProviderSource, goProvider],
        ] as const) {
            rmSync(to, { recursive: true, force: true });
            cpSync(join(sources, from), to, { recursive: true });
            run("chmod", ["-R", "u+w", to], work);
        }
        run("go", ["mod", "edit", `-replace=${provider.goProviderModule}=${goProvider}`], dir);
        goBuild(dir, output, "./cmd/pulumi-resource-command", {
            [`${provider.module}/pkg/version.Version`]: provider.stamp,
        });
    },
    // server/go.mod replaces its sibling modules (api, client/pkg, client/v3, pkg) with ../ paths;
    // they are tagged at the same version, so the generated module pins them there.
    etcd(work, output, { etcd }) {
        const server = download(work, etcd.module, etcd.version);
        const siblings = replacesOf(server.goMod).filter(
            (r) => isLocalPath(r.to) && requires(server.goMod, r.from),
        );
        writeModule(join(work, "module"), {
            name: "etcd",
            go: goVersionOf(server.goMod),
            requires: [etcd],
            replaces: siblings.map((r) => `${r.from} => ${r.from} ${etcd.version}`),
            sumsFrom: [join(server.dir, "go.sum")],
        });
        goBuild(join(work, "module"), output, etcd.module, {
            "go.etcd.io/etcd/api/v3/version.GitSHA": server.commit.slice(0, 7),
        });
    },
    "kube-apiserver"(work, output, { kubernetes }) {
        buildKubernetesCommand(work, output, kubernetes, "kube-apiserver");
    },
    "kube-controller-manager"(work, output, { kubernetes }) {
        buildKubernetesCommand(work, output, kubernetes, "kube-controller-manager");
    },
    // Deployments' pods need a scheduler to bind them to the kwok nodes.
    "kube-scheduler"(work, output, { kubernetes }) {
        buildKubernetesCommand(work, output, kubernetes, "kube-scheduler");
    },
    // Stamps as kwok's hack/releases.sh does (sigs.k8s.io/kwok v0.8.0).
    kwok(work, output, { kwok }) {
        const module = download(work, kwok.module, kwok.version);
        writeModule(join(work, "module"), {
            name: "kwok",
            go: goVersionOf(module.goMod),
            requires: [kwok],
            replaces: [],
            sumsFrom: [join(module.dir, "go.sum")],
        });
        goBuild(join(work, "module"), output, `${kwok.module}/cmd/kwok`, {
            "sigs.k8s.io/kwok/pkg/consts.Version": kwok.version,
        });
    },
};

/**
 * k8s.io/kubernetes requires its ~30 staging modules at v0.0.0 and replaces them with ./staging
 * paths; the generated module replaces each with its published v0.<minor>.<patch> tag (the usual
 * way to build from the module, as kubernetes' own go.mod header says it is not for import).
 * Version stamps as hack/lib/version.sh `kube::version::ldflags` sets them.
 */
function buildKubernetesCommand(
    work: string,
    output: string,
    kubernetes: Versions["kubernetes"],
    command: string,
): void {
    const module = download(work, kubernetes.module, kubernetes.version);
    const staging = replacesOf(module.goMod).filter(
        (r) => r.to.startsWith("./staging/") && requires(module.goMod, r.from),
    );
    const dir = join(work, "module");
    writeModule(dir, {
        name: "kubernetes",
        go: goVersionOf(module.goMod),
        godebug: directives(module.goMod, "godebug"),
        requires: [kubernetes],
        replaces: staging.map((r) => `${r.from} => ${r.from} ${kubernetes.stagingVersion}`),
        sumsFrom: [join(module.dir, "go.sum")],
    });
    const [major, minor] = kubernetes.version.replace(/^v/, "").split(".");
    const stamps: Record<string, string> = {};
    for (const pkg of ["k8s.io/client-go/pkg/version", "k8s.io/component-base/version"]) {
        Object.assign(stamps, {
            [`${pkg}.gitVersion`]: kubernetes.version,
            [`${pkg}.gitMajor`]: major ?? "",
            [`${pkg}.gitMinor`]: minor ?? "",
            [`${pkg}.gitCommit`]: module.commit,
            [`${pkg}.gitTreeState`]: "clean",
            [`${pkg}.buildDate`]: module.time.replace(/\.\d+Z$/, "Z"),
        });
    }
    goBuild(dir, output, `${kubernetes.module}/cmd/${command}`, stamps);
}

/**
 * Builds what is missing: the binaries every line shares, then each of `lines` (Felix, Typha, BPF
 * objects, its operator), in that order. Returns the names of the steps built.
 */
export function buildToolchain(
    log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    lines: readonly string[] = felixLines(),
): string[] {
    const versions = readVersions();
    const root = toolchainDir();
    const bin = join(root, "bin");
    mkdirSync(bin, { recursive: true });
    const started = Date.now();
    const times: Record<string, number> = {};
    log(`cluster toolchain ${toolchainKey()} in ${root}`);
    for (const name of CLUSTER_BINARIES) {
        const output = join(bin, name);
        if (existsSync(output)) continue;
        const work = join(root, "work", name);
        mkdirSync(work, { recursive: true });
        const partial = `${output}.partial`;
        timedStep(times, log, name, () => {
            recipes[name](work, partial, versions);
            renameSync(partial, output);
        });
    }
    for (const line of lines) {
        Object.assign(times, buildFelixLines(root, versions.felix, log, [line]));
        Object.assign(times, buildOperators(root, log, [line]));
    }
    const built = Object.keys(times);
    const total = Date.now() - started;
    const everything = `${CLUSTER_BINARIES.length} binaries and Felix for ${lines.join(", ")}`;
    if (built.length === 0) {
        log(`all ${everything} already built; nothing to do (warm, ${seconds(total)})`);
    } else {
        log(`built ${built.join(", ")} in ${seconds(total)} (of ${everything})`);
        writeFileSync(
            join(root, `build-times-${new Date(started).toISOString()}.json`),
            JSON.stringify({ totalMs: total, perStepMs: times }, null, 4) + "\n",
        );
    }
    log(`bin: ${bin}`);
    return built;
}

const help = () => `usage: npm run build:cluster [-- <calico line>...]

Builds the cluster tier's binaries from their Go modules and, for each Calico line (default: every
one, ${felixLines().join(", ")}), Felix, Typha, the BPF objects and tigera/operator from ../shared/src,
into ${toolchainDir()}. A warm cache builds nothing. Needs Go, and the Debian packages .ci/run names.

  --help    this text

Exit status: 0 built (or nothing to build), 1 a build failed, 2 a usage error.
`;

/** The lines named on the command line (`3.31.7` or `v3.31.7`), or a usage error naming the bad one. */
export function parseBuildArgs(args: readonly string[]): "help" | string[] {
    if (args.includes("--help") || args.includes("-h")) return "help";
    const known = felixLines();
    return args.map((arg) => {
        if (arg.startsWith("-")) {
            throw new UsageError(
                `build:cluster: unknown option ${arg} (see: npm run build:cluster -- --help)`,
            );
        }
        const line = arg.startsWith("v") ? arg : `v${arg}`;
        if (!known.includes(line)) {
            throw new UsageError(
                `build:cluster: unknown Calico line ${JSON.stringify(arg)} (lines: ${known.join(", ")}; see: npm run build:cluster -- --help)`,
            );
        }
        return line;
    });
}

if (require.main === module) {
    try {
        const lines = parseBuildArgs(process.argv.slice(2));
        if (lines === "help") process.stdout.write(help());
        else buildToolchain(undefined, lines.length > 0 ? lines : felixLines());
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n`);
            process.exit(2);
        }
        process.stderr.write(
            `build:cluster: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
    }
}
