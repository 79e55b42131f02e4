/**
 * npm run docs:tier-sample -- TRANSCRIPT: the sample output the docs show, cut from a transcript of
 * `npm run test:cluster` (a real run of the cluster tier), never typed. It rewrites the excerpt in
 * docs/testing.md and the verify report in docs/verify.md, each between its markers.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
    flag,
    HELP,
    helpText,
    parseCommandLine,
    readOptionFile,
    stringOption,
    UsageError,
    type CommandSpec,
} from "../cli/args";
import { runMain } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";

/**
 * The Calico line the sample shows: 3.31.7, the patch release of AKS's default line (3.31.2), which
 * the tier runs in full (on its 6.18 kernel the lab refuses 3.31.2's flip to eBPF: docs/testing.md).
 */
export const SAMPLE_CALICO = "v3.31.7";
const SAMPLE_FIXTURE = `aks-managed-calico-${SAMPLE_CALICO}`;

/** A left-out stretch of the transcript. */
export const ELIDED = "…";

/** What the first elision before the switch to eBPF stands for. */
const BEFORE_SWITCH = `${ELIDED}  (steps 1 and 2; then \`config set dataplane bpf\` and \`up\`:)`;

/** A line of Pulumi's progress table: a change (` +  `, ` ~  `, ` ++ `, ` +-` …) to a typed resource. */
const RESOURCE_CHANGE = /^ [+~-]{1,2} +\S+:\S*:\S+ /;

/** The indices of the transcript's lines the sample keeps, and the line the switch to eBPF starts at. */
function keptLines(lines: readonly string[]): { kept: number[]; switchAt: number } {
    const find = (from: number, pattern: RegExp, what: string): number => {
        const at = lines.findIndex((line, i) => i >= from && pattern.test(line));
        if (at < 0) throw new UsageError(`the transcript has no ${what}`);
        return at;
    };
    const kept: number[] = [];
    const toolchain = find(0, /^cluster toolchain /, "`cluster toolchain` line");
    kept.push(toolchain, toolchain + 1);

    const fixture = find(
        0,
        new RegExp(`^cluster: fixture ${SAMPLE_FIXTURE} `),
        `${SAMPLE_FIXTURE} fixture`,
    );
    const clusterStart = lines.findLastIndex(
        (line, i) => i < fixture && line.startsWith("cluster: etcd up"),
    );
    for (let i = Math.max(clusterStart, 0); i <= fixture; i++)
        if (lines[i]?.startsWith("cluster: ")) kept.push(i);

    const switchAt = find(
        fixture,
        /ConfigMapPatch \S+ created/,
        "switch to eBPF (ConfigMapPatch created)",
    );
    const summary = find(switchAt, /^Resources:$/, "`Resources:` after the switch");
    for (let i = switchAt; i < summary; i++) if (RESOURCE_CHANGE.test(lines[i] ?? "")) kept.push(i);
    const duration = find(summary, /^Duration: /, "`Duration:` after the switch");
    for (let i = summary; i <= duration; i++) kept.push(i);

    const verify = find(
        duration,
        /^verify --expect bpf: exit \d+$/,
        "`verify --expect bpf` report",
    );
    for (let i = duration + 1; i < verify && lines[i]?.trim() === ""; i++) kept.push(i);
    const verdict = find(verify, /^verdict /, "verdict after `verify --expect bpf`");
    for (let i = verify; i <= verdict; i++) kept.push(i);

    const suite = new RegExp(`^[✔✖] the lab on the local cluster tier: Calico ${SAMPLE_CALICO}\\b`);
    const suiteEnd = find(verdict, suite, `test suite of Calico ${SAMPLE_CALICO}`);
    for (let i = verdict + 1; i <= suiteEnd; i++)
        if (/^\s+[✔✖] \d+\. /.test(lines[i] ?? "") || i === suiteEnd) kept.push(i);
    for (let i = suiteEnd + 1; i < lines.length; i++)
        if (/^ℹ \w+ /.test(lines[i] ?? "")) kept.push(i);
    return { kept, switchAt };
}

/** The excerpt of a tier transcript the docs show: the lines kept, "…" where lines were left out. */
export function tierExcerpt(transcript: string): string[] {
    const lines = transcript.replace(/\r\n/g, "\n").split("\n");
    const { kept, switchAt } = keptLines(lines);
    const excerpt: string[] = [];
    kept.forEach((index, k) => {
        const previous = kept[k - 1];
        if (previous !== undefined && index > previous + 1)
            excerpt.push(index === switchAt ? BEFORE_SWITCH : ELIDED);
        // Trailing blanks go (Pulumi's progress lines end in one; the docs' formatter drops them).
        excerpt.push((lines[index] ?? "").trimEnd());
    });
    return excerpt;
}

/** The `verify --expect bpf` report of an excerpt, without its heading line. */
export function verifyReport(excerpt: readonly string[]): string[] {
    const start = excerpt.findIndex((line) => /^verify --expect bpf: exit \d+$/.test(line));
    const end = excerpt.findIndex((line, i) => i > start && line.startsWith("verdict "));
    if (start < 0 || end < 0) throw new UsageError("the excerpt has no verify report");
    return excerpt.slice(start + 1, end + 1);
}

const TESTING = { file: "docs/testing.md", marker: "tier-sample" };
const VERIFY = { file: "docs/verify.md", marker: "tier-verify-sample" };

/** The text between a page's markers (without them), or a usage error naming the page. */
export function between(
    page: string,
    marker: string,
    file: string,
): { before: string; inside: string; after: string } {
    const begin = `<!-- ${marker}:begin -->\n`;
    const end = `<!-- ${marker}:end -->`;
    const start = page.indexOf(begin);
    const stop = page.indexOf(end);
    if (start < 0 || stop < start)
        throw new UsageError(`${file} has no ${begin.trim()} … ${end} markers`);
    return {
        before: page.slice(0, start + begin.length),
        inside: page.slice(start + begin.length, stop),
        after: page.slice(stop),
    };
}

/** A text block as it stands between its markers (a blank line on each side, as prettier keeps it). */
const fenced = (lines: readonly string[]): string =>
    ["", "```text", ...lines, "```", "", ""].join("\n");

/** The two blocks the docs show, from an excerpt recorded on `recorded` (YYYY-MM-DD). */
export function sampleBlocks(
    excerpt: readonly string[],
    recorded: string,
): { testing: string; verify: string } {
    return {
        testing:
            [
                "",
                "A run of the tier, on the local cluster (not Azure; the real operator, Felix and Typha, the doubles",
                `above standing in for Azure's load balancer and yaobank's traffic), recorded on ${recorded}.`,
                `Excerpt of the Calico ${SAMPLE_CALICO.slice(1)} line, cut from the run's transcript by \`npm run docs:tier-sample\`: a line`,
                `starting with "${ELIDED}" stands for lines left out (and may say which); every other line is as`,
                "the run printed it:",
                "",
            ].join("\n") + fenced(excerpt),
        verify: fenced(verifyReport(excerpt)),
    };
}

const SPEC: CommandSpec = {
    name: "npm run docs:tier-sample --",
    summary:
        "cuts the docs' sample output from a transcript of the cluster tier and writes it into docs/testing.md and docs/verify.md",
    usage: ["TRANSCRIPT [--recorded YYYY-MM-DD] [--check]"],
    positionals: ["TRANSCRIPT"],
    options: {
        recorded: {
            type: "string",
            value: "YYYY-MM-DD",
            description: "when the run was recorded (default: the transcript file's date)",
        },
        check: { type: "boolean", description: "write nothing; exit 1 if the docs differ" },
    },
    exitCodes: [
        [0, "the docs hold the sample (written, or already so with --check)"],
        [1, "--check: the docs differ from the transcript's sample"],
        [2, "a usage error: no transcript, or one without the lines the sample needs"],
    ],
    examples: [
        "npm run test:cluster 2>&1 | tee tier.log",
        "npm run docs:tier-sample -- tier.log",
        "npm run docs:tier-sample -- tier.log --check",
    ],
};

function main(argv: readonly string[]): number {
    const line = parseCommandLine(SPEC, argv);
    if (line === HELP) {
        process.stdout.write(helpText(SPEC));
        return 0;
    }
    const [path] = line.positionals;
    if (path === undefined)
        throw new UsageError("name the transcript: npm run docs:tier-sample -- TRANSCRIPT");
    const transcript = readOptionFile("transcript", path);
    const recorded =
        stringOption(line, "recorded") ?? statSync(path).mtime.toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(recorded))
        throw new UsageError(`--recorded takes YYYY-MM-DD, not "${recorded}"`);
    const blocks = sampleBlocks(tierExcerpt(transcript), recorded);
    let differs = false;
    for (const [target, block] of [
        [TESTING, blocks.testing],
        [VERIFY, blocks.verify],
    ] as const) {
        const file = join(PROJECT_DIR, target.file);
        const page = between(readFileSync(file, "utf8"), target.marker, target.file);
        if (page.inside === block) continue;
        differs = true;
        if (!flag(line, "check")) writeFileSync(file, page.before + block + page.after);
        process.stderr.write(
            `docs:tier-sample: ${target.file} ${flag(line, "check") ? "differs" : "rewritten"}\n`,
        );
    }
    return differs && flag(line, "check") ? 1 : 0;
}

if (require.main === module)
    runMain(
        "docs:tier-sample",
        () => Promise.resolve().then(() => main(process.argv.slice(2))),
        () => 2,
    );
