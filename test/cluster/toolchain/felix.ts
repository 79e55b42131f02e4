/**
 * Real Felix for each Calico line the cluster tier runs, built from the unmodified release trees in
 * ../shared/src (PROVENANCE.md there), each copied into the cache first because ../shared is
 * read-only: libbpf, calico-felix (cgo, linked against that libbpf), calico-typha (the Typha the
 * operator renders, which Felix reaches over mutual TLS) and the BPF objects Felix loads at the
 * tier's log level. Go's build and module caches are the
 * machine's own, so the lines share every dependency they have in common.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type CalicoLine, type FelixVersions, goEnv, ldflags, run, timedStep } from "./cache";

/** The release trees: ../shared/src beside the clone, or LAB_SHARED_SRC (a git worktree's ../shared is another folder). */
export const SHARED_SRC =
    process.env["LAB_SHARED_SRC"] ?? join(__dirname, "..", "..", "..", "..", "shared", "src");

/** A Calico release tree in ../shared/src, e.g. for `v3.31.7`. */
export const calicoSourceTree = (calicoVersion: string): string =>
    join(SHARED_SRC, `calico-${calicoVersion}`);

/** Where Felix loads its BPF objects: projectcalico/calico felix/bpf/bpfdefs/defs.go `ObjectDir` @v3.31.2, v3.30.7, v3.31.7. */
export const FELIX_BPF_OBJECT_DIR = "/usr/lib/calico/bpf";

export interface FelixBuild {
    readonly calicoVersion: string;
    /** The calico-felix binary. */
    readonly felix: string;
    /** The calico-typha binary, from the same tree (typha/cmd/calico-typha). */
    readonly typha: string;
    /** The folder to mount at FELIX_BPF_OBJECT_DIR. */
    readonly bpfObjects: string;
}

export function felixBuildIn(root: string, calicoVersion: string): FelixBuild {
    const dir = join(root, "felix", calicoVersion);
    return {
        calicoVersion,
        felix: join(dir, "calico-felix"),
        typha: join(dir, "calico-typha"),
        bpfObjects: join(dir, "bpf"),
    };
}

/** The paths of a build that are not there yet. */
export function missingParts(build: FelixBuild): string[] {
    return [build.felix, build.typha, build.bpfObjects].filter((path) => !existsSync(path));
}

/** libbpf's Makefile's OBJDIR and the cgo LDFLAGS' folder (felix/bpf/libbpf/libbpf.go) use Go's arch names. */
function goArch(): string {
    const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
    if (!arch) throw new Error(`no Felix build for ${process.arch}: Calico builds amd64 and arm64`);
    return arch;
}

/** A writable copy of a folder of ../shared/src, replacing any earlier one. */
export function copySource(name: string, to: string): void {
    const from = join(SHARED_SRC, name);
    if (!existsSync(from)) {
        throw new Error(`${from} is missing: the cluster tier builds from ../shared/src`);
    }
    rmSync(to, { recursive: true, force: true });
    mkdirSync(join(to, ".."), { recursive: true });
    cpSync(from, to, { recursive: true });
    run("chmod", ["-R", "u+w", to], to, process.env);
}

/** libbpf's headers as `<bpf/...>`, which its own bpf_core_read.h includes; installed last, so they mark a finished build. */
function libbpfIncludes(dir: string): string {
    return join(dir, "src", goArch(), "include");
}

/**
 * libbpf, built once and copied into every tree: `make BUILD_STATIC_ONLY=1 OBJDIR=<arch>` in its src/
 * (felix/Makefile `$(LIBBPF_A)` @v3.31.7), and its headers installed beside the archive.
 */
function buildLibbpf(dir: string, version: string): void {
    copySource(`libbpf-${version}`, dir);
    const src = join(dir, "src");
    // Its Makefile writes into OBJDIR without making it first; felix/Makefile makes it before.
    mkdirSync(join(src, goArch()));
    const make = (...args: string[]) =>
        run("make", [`-j${availableParallelism()}`, ...args], src, process.env);
    make("BUILD_STATIC_ONLY=1", `OBJDIR=${goArch()}`);
    make("install_headers", `DESTDIR=${libbpfIncludes(dir)}`, "INCLUDEDIR=", "PREFIX=");
}

/** The tree's own libbpf pin (metadata.mk `LIBBPF_VERSION`), which must be the one built. */
function requireLibbpfPin(tree: string, calicoVersion: string, libbpf: string): void {
    const pinned = /^LIBBPF_VERSION=(\S+)$/m.exec(
        readFileSync(join(tree, "metadata.mk"), "utf8"),
    )?.[1];
    if (pinned !== libbpf) {
        throw new Error(
            `calico ${calicoVersion} pins libbpf ${pinned ?? "(none)"} in metadata.mk; versions.json felix.libbpf is ${libbpf}`,
        );
    }
}

/** How a log level appears in object file names (felix/bpf/tc/defs/defs.go `ProgFilename` @v3.31.2: off is no_log). */
function objectLogLevel(level: string): string {
    return level.toLowerCase() === "off" ? "no_log" : level.toLowerCase();
}

/**
 * The objects Felix can load at this log level: those named for it (tc programs, connect-time LB,
 * conntrack cleanup, XDP: felix/bpf/hook/load.go, nat/connecttime.go, conntrack/bpf_scanner.go)
 * and those named for none (preambles, map stubs, policy_default).
 */
export function objectsAtLogLevel(targets: readonly string[], logLevel: string): string[] {
    const levels = ["no_log", "debug", "info"];
    const wanted = objectLogLevel(logLevel);
    return targets.filter((target) =>
        levels.every((level) => level === wanted || !target.includes(`_${level}`)),
    );
}

/** The bpf-gpl Makefile's `all` objects (its OBJS), as upstream lists them. */
export function bpfGplObjects(bpfGpl: string): string[] {
    return run(
        "make",
        ["--no-print-directory", "--eval=print-objs: ; @echo $(OBJS)", "print-objs"],
        bpfGpl,
        process.env,
        // Its `include $(shell ls *.d)` complains on a fresh tree, which is expected.
        true,
    )
        .trim()
        .split(/\s+/);
}

/** The Go of the tree's `go` directive (its release's: metadata.mk GO_VERSION/GO_BUILD_VER). */
export function treeGoVersion(goMod: string): string {
    const version = /^go (\d+\.\d+\.\d+)$/m.exec(goMod)?.[1];
    if (version === undefined) throw new Error("the Calico tree's go.mod names no go x.y.z");
    return version;
}

/**
 * One of the tree's binaries, with cgo as lib.Makefile builds them on amd64 (`CGO_ENABLED?=1`
 * @v3.31.7; its boringcrypto experiment left out); Felix links libbpf through it. Typha is built
 * with the Go its release uses (the module proxy serves it as golang.org/toolchain): built with
 * this machine's Go 1.26.8, Typha v3.31.7 panicked in every run as it served its first snapshot
 * ("makeslice: len out of range" in encoding/json, from typha/pkg/snapcache/cache.go
 * publishBreadcrumb), while Felix runs as built.
 */
function buildCalicoBinary(
    tree: string,
    output: string,
    calicoVersion: string,
    line: CalicoLine,
    binary: "calico-felix" | "calico-typha",
) {
    const buildinfo = "github.com/projectcalico/calico/pkg/buildinfo";
    const dir = binary === "calico-felix" ? "felix" : "typha";
    const toolchain =
        binary === "calico-typha"
            ? { GOTOOLCHAIN: `go${treeGoVersion(readFileSync(join(tree, "go.mod"), "utf8"))}` }
            : {};
    run(
        "go",
        [
            "build",
            "-trimpath",
            "-ldflags",
            ldflags({
                [`${buildinfo}.Version`]: calicoVersion,
                [`${buildinfo}.GitRevision`]: line.commit,
            }),
            "-o",
            output,
            `./${dir}/cmd/${binary}`,
        ],
        tree,
        { ...goEnv(true), ...toolchain },
    );
}

function buildBpfObjects(tree: string, output: string, logLevel: string): number {
    const bpfGpl = join(tree, "felix", "bpf-gpl");
    const targets = objectsAtLogLevel(bpfGplObjects(bpfGpl), logLevel);
    // Calico's build image has libbpf's headers as <bpf/...>; here they are the tree's own libbpf's.
    const includes = libbpfIncludes(join(bpfGpl, "libbpf"));
    run("make", [`-j${availableParallelism()}`, ...targets], bpfGpl, {
        ...process.env,
        CFLAGS: `-I${includes}`,
    });
    mkdirSync(output, { recursive: true });
    for (const target of targets) cpSync(join(bpfGpl, target), join(output, target.slice(4)));
    // The XDP object Felix loads in every mode to wipe XDP state, from the Apache-licensed half
    // (felix/dataplane/linux/int_dataplane.go :2226 and felix/bpf-apache/Makefile @v3.31.7): without
    // it an iptables Felix logs "failed to wipe the XDP state" ten times a second.
    const bpfApache = join(tree, "felix", "bpf-apache");
    run("make", ["bin/filter.o"], bpfApache, { ...process.env, CFLAGS: `-I${includes}` });
    cpSync(join(bpfApache, "bin", "filter.o"), join(output, "filter.o"));
    return targets.length + 1;
}

/** Builds what is missing of `lines`' Felix, in that order; returns each step's time in ms, by name. */
export function buildFelixLines(
    root: string,
    versions: FelixVersions,
    log: (line: string) => void,
    lines: readonly string[],
): Record<string, number> {
    const times: Record<string, number> = {};
    const timed = <T>(name: string, step: () => T): T => timedStep(times, log, name, step);
    const work = join(root, "work");
    for (const calicoVersion of lines) {
        const line = versions.lines[calicoVersion];
        if (line === undefined) throw new Error(`no Calico line ${calicoVersion} in versions.json`);
        const build = felixBuildIn(root, calicoVersion);
        if (missingParts(build).length === 0) continue;
        const libbpf = join(work, `libbpf-${versions.libbpf}`);
        if (!existsSync(libbpfIncludes(libbpf))) {
            timed(`libbpf ${versions.libbpf}`, () => {
                buildLibbpf(libbpf, versions.libbpf);
            });
        }
        const tree = join(work, `calico-${calicoVersion}`);
        copySource(`calico-${calicoVersion}`, tree);
        requireLibbpfPin(tree, calicoVersion, versions.libbpf);
        cpSync(libbpf, join(tree, "felix", "bpf-gpl", "libbpf"), { recursive: true });
        for (const [binary, path] of [
            ["calico-felix", build.felix],
            ["calico-typha", build.typha],
        ] as const) {
            if (existsSync(path)) continue;
            const partial = `${path}.partial`;
            mkdirSync(join(partial, ".."), { recursive: true });
            timed(`${binary} ${calicoVersion}`, () => {
                buildCalicoBinary(tree, partial, calicoVersion, line, binary);
            });
            renameSync(partial, path);
        }
        if (!existsSync(build.bpfObjects)) {
            const partial = `${build.bpfObjects}.partial`;
            rmSync(partial, { recursive: true, force: true });
            const count = timed(
                `BPF objects ${calicoVersion} (log level ${versions.bpfLogLevel})`,
                () => buildBpfObjects(tree, partial, versions.bpfLogLevel),
            );
            log(`${count} BPF objects for ${calicoVersion} in ${build.bpfObjects}`);
            renameSync(partial, build.bpfObjects);
        }
        rmSync(tree, { recursive: true, force: true });
    }
    return times;
}
