/**
 * tigera/operator for each Calico line the cluster tier runs (versions.json `felix.lines`), built
 * from the operator's release trees in ../shared/src (tigera-operator-v<version>, PROVENANCE.md
 * there), each copied into the cache first because ../shared is read-only. build.ts builds them
 * with the rest of the toolchain, under its key; the tier finds one with `requireOperator()`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, timedStep, toolchainDir } from "./cache";
import { copySource } from "./felix";

/**
 * The operator tree for each Calico minor AKS ships (../shared/crds/PROVENANCE.md pairs 3.30.x with
 * operator 1.38.x and 3.31.x with 1.40.x; its 3.30.7 line ships v1.38.16 and 3.31.7 v1.40.15). Only
 * the 1.38.6 and 1.40.2 trees are here, so each stands for its minor's later patches.
 */
const OPERATOR_TREES: Readonly<Record<string, string>> = { "3.30": "1.38.6", "3.31": "1.40.2" };

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

const operatorBinaryIn = (root: string, target: OperatorTarget): string =>
    join(root, "operator", target.calico, "operator");

/** The built operator for a Calico line, or an error naming the command that builds it. */
export function requireOperator(calicoVersion: string): string {
    const binary = operatorBinaryIn(toolchainDir(), operatorFor(calicoVersion));
    if (!existsSync(binary)) {
        throw new Error(
            `tigera/operator for Calico ${calicoVersion} missing: ${binary} (run: npm run build:cluster)`,
        );
    }
    return binary;
}

/** The operator's components file (tigera/operator Makefile `OS_VERSIONS?=config/calico_versions.yml`). */
const VERSIONS_FILE = "config/calico_versions.yml";

const GO_ENV = { CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-buildvcs=false" } as const;

/**
 * Points a tree at another Calico patch release the way the operator's release does: every
 * component of its components file at that release (all are at the tree's own, its `title`), then
 * `make gen-versions-calico`'s `gen-versions -os-versions=config/calico_versions.yml >
 * pkg/components/calico.go` (tigera/operator Makefile @v1.40.2, @v1.38.6). Only the versions
 * change: the CRDs bundled with the tree stay its own.
 */
function pointAtCalico(tree: string, calico: string): void {
    const file = join(tree, VERSIONS_FILE);
    const versions = readFileSync(file, "utf8");
    const own = /^title:\s*(\S+)\s*$/m.exec(versions)?.[1];
    if (own === undefined) throw new Error(`${file} has no title`);
    if (own === calico) return;
    const pinned = new RegExp(
        `^(\\s*(?:title|version):\\s*)${own.replace(/\./g, "\\.")}\\s*$`,
        "gm",
    );
    writeFileSync(file, versions.replace(pinned, `$1${calico}`));
    const env = { ...process.env, ...GO_ENV };
    const generated = run(
        "go",
        ["run", "./hack/gen-versions", `-os-versions=${VERSIONS_FILE}`],
        tree,
        env,
    );
    writeFileSync(join(tree, "pkg/components/calico.go"), generated);
}

/**
 * The Makefile's `build` target (tigera/operator Makefile @v1.40.2, @v1.38.6): `go build
 * -buildvcs=false -tags osusergo,netgo -ldflags "-X github.com/tigera/operator/version.VERSION=...
 * -s -w" ./cmd/main.go`. It builds with CGO and GOEXPERIMENT=boringcrypto on amd64 for FIPS; the
 * tier needs no FIPS crypto, so it builds as the Makefile does for the other architectures, CGO off.
 */
function buildOperator(tree: string, output: string, target: OperatorTarget): void {
    pointAtCalico(tree, target.calico);
    const version = `-X github.com/tigera/operator/version.VERSION=v${target.operator} -s -w`;
    const args = ["build", "-trimpath", "-tags", "osusergo,netgo", "-ldflags", version];
    run("go", [...args, "-o", output, "./cmd/main.go"], tree, { ...process.env, ...GO_ENV });
}

/** Builds what is missing of every line's operator; returns each build's time in ms, by name. */
export function buildOperators(
    root: string,
    log: (line: string) => void,
    lines: readonly string[],
): Record<string, number> {
    const times: Record<string, number> = {};
    for (const calicoVersion of lines) {
        const target = operatorFor(calicoVersion);
        const binary = operatorBinaryIn(root, target);
        if (existsSync(binary)) continue;
        timedStep(
            times,
            log,
            `tigera/operator v${target.operator} for Calico ${target.calico}`,
            () => {
                const tree = join(root, "work", `tigera-operator-v${target.operator}`);
                copySource(`tigera-operator-v${target.operator}`, tree);
                const partial = `${binary}.partial`;
                mkdirSync(join(binary, ".."), { recursive: true });
                buildOperator(tree, partial, target);
                renameSync(partial, binary);
                rmSync(tree, { recursive: true, force: true });
            },
        );
    }
    return times;
}
