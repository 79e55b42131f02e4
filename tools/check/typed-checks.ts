/**
 * npm run typecheck-and-lint: the compiler's diagnostics and ESLint on one TypeScript program. tsc
 * and typed linting (typescript-eslint's projectService) each build and check the whole program, and
 * the two together were half of npm test's CPU; here ESLint reads the program the compiler checked
 * (`parserOptions.programs`: typescript-eslint/typescript-eslint
 * packages/typescript-estree/src/parser-options.ts @v8.73.0). `npm run typecheck` and `npm run lint`
 * stay for one of them alone.
 */
import { join } from "node:path";
import type ts from "typescript";
import { HELP, helpText, parseCommandLine, type CommandSpec } from "../cli/args";
import { runMain } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";

const SPEC: CommandSpec = {
    name: "npm run typecheck-and-lint --",
    summary: "type-checks the project (as tsc --noEmit) and lints it (as eslint --max-warnings 0)",
    usage: [""],
    options: {},
    exitCodes: [
        [0, "no compiler diagnostic and no lint error or warning"],
        [1, "a diagnostic or a lint message (printed)"],
        [2, "usage error"],
    ],
    examples: ["npm run typecheck-and-lint", "npm run lint -- --fix   # ESLint alone, fixing"],
    notes: ["Reads tsconfig.json and eslint.config.mjs of the project folder."],
};

export interface TypedCheckResult {
    /** The compiler's diagnostics and ESLint's report, as tsc and eslint print them. */
    readonly output: string;
    readonly passed: boolean;
}

type TypeScript = typeof ts;

/** The program tsconfig.json describes, without emitting. */
function tsconfigProgram(ts: TypeScript, projectDir: string): ts.Program {
    const file = ts.readConfigFile(join(projectDir, "tsconfig.json"), (path) =>
        ts.sys.readFile(path),
    );
    if (file.error !== undefined) throw new Error(formatDiagnostics(ts, [file.error], projectDir));
    const parsed = ts.parseJsonConfigFileContent(file.config, ts.sys, projectDir);
    if (parsed.errors.length > 0) throw new Error(formatDiagnostics(ts, parsed.errors, projectDir));
    return ts.createProgram({
        rootNames: parsed.fileNames,
        options: { ...parsed.options, noEmit: true },
    });
}

function formatDiagnostics(
    ts: TypeScript,
    diagnostics: readonly ts.Diagnostic[],
    projectDir: string,
): string {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => projectDir,
        getNewLine: () => "\n",
    });
}

/** Type-checks and lints the project in `projectDir` on one program. */
export async function typedChecks(projectDir: string): Promise<TypedCheckResult> {
    // Loaded here, not at the top: they take over a second, which --help should not pay.
    const ts = (await import("typescript")).default;
    const { ESLint } = await import("eslint");
    const program = tsconfigProgram(ts, projectDir);
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const eslint = new ESLint({
        cwd: projectDir,
        overrideConfig: [
            {
                files: ["**/*.ts"],
                languageOptions: { parserOptions: { projectService: false, programs: [program] } },
            },
        ],
    });
    const results = await eslint.lintFiles(["."]);
    const lintMessages = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
    const report = await (await eslint.loadFormatter("stylish")).format(results);
    return {
        output: formatDiagnostics(ts, diagnostics, projectDir) + report,
        passed: diagnostics.length === 0 && lintMessages === 0,
    };
}

async function main(argv: readonly string[]): Promise<number> {
    if (parseCommandLine(SPEC, argv) === HELP) {
        process.stdout.write(helpText(SPEC));
        return 0;
    }
    const result = await typedChecks(PROJECT_DIR);
    process.stdout.write(result.output);
    return result.passed ? 0 : 1;
}

if (require.main === module)
    runMain(
        "typecheck-and-lint",
        () => main(process.argv.slice(2)),
        () => 1,
    );
