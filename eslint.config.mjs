import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";
import { boundaries } from "./eslint.boundaries.mjs";

export default tseslint.config(
    {
        ignores: [
            "node_modules/",
            "bin/",
            ".pulumi-state/",
            "eslint.config.mjs",
            "eslint.boundaries.mjs",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
            "@typescript-eslint/no-unused-vars": [
                "error",
                { varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // node:test's describe/it return promises that the runner itself awaits.
            "@typescript-eslint/no-floating-promises": "off",
        },
    },
    {
        // Plain CommonJS that must run on any Node (tools/cli/node-version.cjs): no type information.
        files: ["**/*.cjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            sourceType: "commonjs",
            parserOptions: { projectService: false, project: false },
            globals: { require: "readonly", module: "writable", process: "readonly" },
        },
        rules: {
            ...tseslint.configs.disableTypeChecked.rules,
            "@typescript-eslint/no-require-imports": "off",
            "@pulumi/no-output-in-template-literal": "off",
            "@pulumi/no-output-instance-in-template-literal": "off",
        },
    },
    ...boundaries,
);
