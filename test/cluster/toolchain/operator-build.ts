/**
 * Builds tigera/operator for an AKS Calico line from the operator's release trees in ../shared/src
 * (tigera-operator-v<version>, ../shared/src/PROVENANCE.md), into a cache folder keyed by the
 * operator, the Calico it deploys and the build's recipe. ../shared is read-only, so the tree is
 * copied into the cache and built there; nothing from it is committed.
 *
 * Run: `tsx test/cluster/toolchain/operator-build.ts [calico-version...]` (default: the tier's
 * lines). The tier finds a binary with `requireOperator(calicoVersion)`.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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

/**
 * The operator tree for each Calico minor AKS ships (../shared/crds/PROVENANCE.md pairs 3.30.x with
 * operator 1.38.x and 3.31.x with 1.40.x; its 3.30.7 line ships v1.38.16 and 3.31.7 v1.40.15). Only
 * the 1.38.6 and 1.40.2 trees are here, so each stands for its minor's later patches.
 */
const OPERATOR_TREES: Readonly<Record<string, string>> = { "3.30": "1.38.6", "3.31": "1.40.2" };

/** The Calico lines the cluster tier runs (test/cluster/scenario/lab.cluster.test.ts). */
const TIER_LINES = ["v3.30.7", "v3.31.7", "v3.31.2"];

export interface OperatorTarget {
    /** The operator tree, e.g. `1.40.2`. */
    readonly operator: string;
    /** The Calico release it deploys and reports (Installation status.calicoVersion), e.g. `v3.31.7`. */
    readonly calico: string;
}

/** The operator the tier runs for a Calico line: its minor's tree, deploying that release. */
export function operatorFor(calicoVersion: string): OperatorTarget {
    const calico = `v${calicoVersion.replace(/^v/, "")}`;
    const minor = /^v(\d+\.\d+)\.\d+$/.exec(calico)?.[1] ?? "";
    const operator = OPERATOR_TREES[minor];
    if (operator === undefined) {
        throw new Error(
            `no tigera/operator tree for Calico ${calico} (have: ${Object.keys(OPERATOR_TREES).join(", ")})`,
        );
    }
    return { operator, calico };
}

const SHARED_SRC =
    process.env["LAB_SHARED_SRC"] ?? join(__dirname, "..", "..", "..", "..", "shared", "src");

/** The operator's components file (tigera/operator Makefile `OS_VERSIONS?=config/calico_versions.yml`). */
const VERSIONS_FILE = "config/calico_versions.yml";

/** The Calico release a tree's components file names in its `title:` line. */
function treeCalico(tree: string): string {
    const title = /^title:\s*(\S+)\s*$/m.exec(readFileSync(join(tree, VERSIONS_FILE), "utf8"));
    if (!title?.[1]) throw new Error(`${tree}/${VERSIONS_FILE} has no title`);
    return title[1];
}

/**
 * The Makefile's `build` target (tigera/operator Makefile @v1.40.2 and @v1.38.6):
 * `go build -buildvcs=false -tags osusergo,netgo -ldflags "-X github.com/tigera/operator/version.VERSION=$(GIT_VERSION) -s -w" ./cmd/main.go`.
 * It builds with CGO and GOEXPERIMENT=boringcrypto on amd64 for FIPS; this tier needs no FIPS
 * crypto, so it builds as the Makefile does for the other architectures, with CGO off.
 */
function goBuildArgs(target: OperatorTarget, output: string): string[] {
    return [
        "build",
        "-buildvcs=false",
        "-trimpath",
        "-tags",
        "osusergo,netgo",
        "-ldflags",
        `-X github.com/tigera/operator/version.VERSION=v${target.operator} -s -w`,
        "-o",
        output,
        "./cmd/main.go",
    ];
}

const GO_ENV = { CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "" } as const;

/** Keyed by the target, the Go version and the build's arguments: a change to any is a new folder. */
function cacheDir(target: OperatorTarget): string {
    const cacheHome = process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
    const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).stdout.trim();
    const key = createHash("sha256")
        .update(JSON.stringify([go, GO_ENV, goBuildArgs(target, "")]))
        .digest("hex")
        .slice(0, 12);
    return join(
        cacheHome,
        "aks-calico-lab",
        "operator",
        `v${target.operator}-calico-${target.calico}-${key}`,
    );
}

/** Where the operator for a Calico line is (built or not). */
export function operatorBinary(calicoVersion: string): string {
    return join(cacheDir(operatorFor(calicoVersion)), "bin", "operator");
}

/** The built operator for a Calico line, or an error naming the command that builds it. */
export function requireOperator(calicoVersion: string): string {
    const binary = operatorBinary(calicoVersion);
    if (!existsSync(binary)) {
        throw new Error(
            `tigera/operator for Calico ${calicoVersion} not built at ${binary} (run: npm run build:cluster)`,
        );
    }
    return binary;
}

function run(args: readonly string[], cwd: string, what: string): string {
    const result = spawnSync("go", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, ...GO_ENV },
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
        throw new Error(`${what} (in ${cwd}) failed with ${result.status ?? result.signal}`);
    }
    return result.stdout;
}

/**
 * Points a tree at another Calico patch release the way the operator's release does: every
 * component of its components file at that release, then `make gen-versions-calico`'s
 * `gen-versions -os-versions=config/calico_versions.yml > pkg/components/calico.go` (tigera/operator
 * Makefile @v1.40.2). Only the versions change: the CRDs bundled with the tree stay its own.
 */
function pointAtCalico(tree: string, from: string, to: string): void {
    const file = join(tree, VERSIONS_FILE);
    const versions = readFileSync(file, "utf8");
    const pinned = new RegExp(
        `^(\\s*(?:title|version):\\s*)${from.replace(/\./g, "\\.")}\\s*$`,
        "gm",
    );
    writeFileSync(file, versions.replace(pinned, `$1${to}`));
    const generated = run(
        ["run", "./hack/gen-versions", `-os-versions=${VERSIONS_FILE}`],
        tree,
        "gen-versions",
    );
    writeFileSync(join(tree, "pkg/components/calico.go"), generated);
}

/** The operator for a Calico line, built only when missing, into a temporary name renamed when done. */
export function operatorBuild(
    calicoVersion: string,
    log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): string {
    const target = operatorFor(calicoVersion);
    const binary = operatorBinary(calicoVersion);
    if (existsSync(binary)) return binary;
    const root = cacheDir(target);
    const tree = join(root, "tree");
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(join(root, "bin"), { recursive: true });
    cpSync(join(SHARED_SRC, `tigera-operator-v${target.operator}`), tree, { recursive: true });
    const started = Date.now();
    const own = treeCalico(tree);
    if (own !== target.calico) {
        log(`tigera/operator v${target.operator}: its Calico ${own} -> ${target.calico}`);
        pointAtCalico(tree, own, target.calico);
    }
    log(`building tigera/operator v${target.operator} for Calico ${target.calico} in ${tree} ...`);
    const partial = `${binary}.partial`;
    run(goBuildArgs(target, partial), tree, `go build of tigera/operator v${target.operator}`);
    renameSync(partial, binary);
    rmSync(tree, { recursive: true, force: true });
    log(
        `built tigera/operator v${target.operator} for Calico ${target.calico} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    return binary;
}

if (require.main === module) {
    const asked = process.argv.slice(2);
    const bad = asked.find((value) => !/^v?\d+\.\d+\.\d+$/.test(value));
    if (bad !== undefined) {
        process.stderr.write(
            `operator-build: "${bad}" is not a Calico release (like v3.31.7); allowed minors: ${Object.keys(OPERATOR_TREES).join(", ")}\n`,
        );
        process.exit(2);
    }
    try {
        for (const calico of asked.length > 0 ? asked : TIER_LINES) operatorBuild(calico);
    } catch (error) {
        process.stderr.write(
            `operator-build: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
    }
}
