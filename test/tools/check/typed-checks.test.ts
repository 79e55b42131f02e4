import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { typedChecks } from "../../../tools/check/typed-checks";
import { PROJECT_DIR } from "../../support/paths";

/**
 * A small project beside the real one (under its node_modules, so that its ESLint config finds
 * typescript-eslint), with one compiler error and one mistake only a typed lint rule sees.
 */
function projectWithMistakes(): string {
    const cache = join(PROJECT_DIR, "node_modules", ".cache", "aks-calico-lab");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "typed-checks-"));
    const files: Record<string, string> = {
        "tsconfig.json": JSON.stringify({
            compilerOptions: { strict: true, target: "ES2022", lib: ["ES2023"], types: [] },
            include: ["*.ts"],
        }),
        "eslint.config.mjs": [
            'import tseslint from "typescript-eslint";',
            "export default [{",
            '    files: ["**/*.ts"],',
            "    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true } },",
            '    plugins: { "@typescript-eslint": tseslint.plugin },',
            '    rules: { "@typescript-eslint/no-floating-promises": "error" },',
            "}];",
        ].join("\n"),
        "types.ts": "export const count: number = 'three';\n",
        // Only the type checker knows that `later()` returns a promise.
        "floating.ts": [
            "export async function later(): Promise<number> { return 1; }",
            "export function caller(): void { later(); }",
        ].join("\n"),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
}

describe("typecheck-and-lint: the compiler and ESLint on one program", () => {
    const dir = projectWithMistakes();
    after(() => {
        rmSync(dir, { recursive: true, force: true });
    });

    it("reports the compiler's error and the typed lint rule's, and fails", async () => {
        const result = await typedChecks(dir);
        assert.equal(result.passed, false);
        assert.match(
            result.output,
            /types\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/,
        );
        assert.match(result.output, /floating\.ts\n\s+2:34\s+error\s+Promises must be awaited/);
        assert.match(result.output, /@typescript-eslint\/no-floating-promises/);
    });
});
