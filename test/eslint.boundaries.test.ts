/**
 * The layer boundaries are real: ESLint, with exactly the project's boundary rules, rejects the
 * imports that cross them and accepts the ones the layout allows.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { PROJECT_DIR } from "./support/paths";

interface Boundaries {
    boundaries: object[];
    COMPONENT_MODULE: string;
}

async function lint(filePath: string, code: string): Promise<string[]> {
    const { boundaries } = (await import(join(PROJECT_DIR, "eslint.boundaries.mjs"))) as Boundaries;
    const eslint = new ESLint({
        cwd: PROJECT_DIR,
        overrideConfigFile: true,
        overrideConfig: [tseslint.configs.base, ...boundaries],
    });
    const [result] = await eslint.lintText(code, { filePath: join(PROJECT_DIR, filePath) });
    return (result?.messages ?? []).map((m) => m.message);
}

/** Every file under components/ that defines a ComponentResource. */
function componentFiles(dir = join(PROJECT_DIR, "components")): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return componentFiles(path);
        return entry.name.endsWith(".ts") &&
            readFileSync(path, "utf8").includes("extends pulumi.ComponentResource")
            ? [relative(PROJECT_DIR, path).replace(/\.ts$/, "")]
            : [];
    });
}

describe("layer boundaries (eslint.boundaries.mjs)", () => {
    it("keeps core/ free of Pulumi, the Kubernetes client and the other layers", async () => {
        for (const source of [
            "@pulumi/pulumi",
            "@kubernetes/client-node",
            "../components/config",
            "../tools/cli/args",
        ]) {
            const messages = await lint(
                "core/example.ts",
                `import * as x from "${source}";\nexport const y = x;\n`,
            );
            assert.equal(messages.length, 1, `${source}: ${messages.join("; ")}`);
        }
        assert.deepEqual(
            await lint(
                "core/example.ts",
                'import { isIP } from "node:net";\nimport { DATAPLANES } from "./dataplane";\nexport const y = [isIP, DATAPLANES];\n',
            ),
            [],
        );
    });

    it("keeps every component class out of tools/, and lets pure spec modules in", async () => {
        const components = componentFiles();
        assert.ok(components.length >= 3, components.join(", "));
        for (const component of [...components, "components/calico", "components/yaobank/index"]) {
            const messages = await lint(
                "tools/verify/example.ts",
                `import * as c from "../../${component}";\nexport const y = c;\n`,
            );
            assert.match(messages.join("; "), /never a component class/, component);
        }
        const allowed = [
            "components/calico/calico-spec",
            "components/yaobank/yaobank-spec",
            "core/dataplane",
        ];
        for (const module of allowed) {
            assert.deepEqual(
                await lint(
                    "tools/verify/example.ts",
                    `import * as m from "../../${module}";\nexport const y = m;\n`,
                ),
                [],
                module,
            );
        }
    });

    it("lets the plan's simulation alone in tools/ use the Pulumi runtime, and no resource SDK", async () => {
        const runtime = 'import * as p from "@pulumi/pulumi";\nexport const y = p;\n';
        assert.deepEqual(await lint("tools/lab/plan/simulate.ts", runtime), []);
        assert.equal((await lint("tools/lab/plan/render.ts", runtime)).length, 1);
        assert.equal(
            (
                await lint(
                    "tools/lab/plan/simulate.ts",
                    'import * as k8s from "@pulumi/kubernetes";\nexport const y = k8s;\n',
                )
            ).length,
            1,
        );
    });
    it("keeps resource SDKs out of tools/ but allows the Automation API and type-only imports", async () => {
        assert.equal(
            (
                await lint(
                    "tools/lab/example.ts",
                    'import * as k8s from "@pulumi/kubernetes";\nexport const y = k8s;\n',
                )
            ).length,
            1,
        );
        assert.equal(
            (
                await lint(
                    "tools/lab/example.ts",
                    'import * as p from "@pulumi/pulumi";\nexport const y = p;\n',
                )
            ).length,
            1,
        );
        assert.deepEqual(
            await lint(
                "tools/lab/example.ts",
                'import * as auto from "@pulumi/pulumi/automation";\nimport { version } from "@pulumi/pulumi/version";\nexport const y = [auto, version];\n',
            ),
            [],
        );
        assert.deepEqual(
            await lint(
                "tools/lab/example.ts",
                'import type * as k8s from "@pulumi/kubernetes";\nexport type Y = k8s.Provider;\n',
            ),
            [],
        );
    });

    it("keeps the program from importing the tools", async () => {
        assert.equal(
            (
                await lint(
                    "components/calico/example.ts",
                    'import { flag } from "../../tools/cli/args";\nexport const y = flag;\n',
                )
            ).length,
            1,
        );
        assert.equal(
            (
                await lint(
                    "index.ts",
                    'import { flag } from "./tools/cli/args";\nexport const y = flag;\n',
                )
            ).length,
            1,
        );
    });
});
