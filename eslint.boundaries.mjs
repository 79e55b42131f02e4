// The import boundaries between the layers (docs/architecture.md), as ESLint rules. Kept apart
// from eslint.config.mjs so the tests can lint snippets against exactly these rules.

/** Component classes: a tool importing one would register Pulumi resources outside a program. */
export const COMPONENT_MODULE = String.raw`(^|/)components/(cluster|calico|yaobank)(/(index|aks-cluster|existing-cluster|calico-dataplane|yaobank))?$`;

export const boundaries = [
    {
        files: ["core/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "^@pulumi/",
                            message: "core/ is Pulumi-free: the program and the tools both use it.",
                        },
                        {
                            regex: "^@kubernetes/",
                            message: "core/ decides; cluster access lives in tools/kube/.",
                        },
                        {
                            regex: String.raw`^\.\./`,
                            message: "core/ imports only core/ (and node:*).",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["tools/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "^@pulumi/(pulumi|kubernetes|azure-native|command|random)(?!/(automation|version)$)(/|$)",
                            allowTypeImports: true,
                            message:
                                "tools/ run outside a Pulumi program: no resource SDKs (the Automation API and the SDK version are allowed).",
                        },
                        {
                            regex: COMPONENT_MODULE,
                            message:
                                "tools/ import components' pure spec modules, never a component class.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // `npm run lab -- plan` runs the program under Pulumi's mocks: this one file may use the
        // Pulumi runtime (setMocks), still no resource SDK and no component class.
        files: ["tools/lab/plan/simulate.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "^@pulumi/(kubernetes|azure-native|command|random)(/|$)",
                            allowTypeImports: true,
                            message:
                                "the plan's simulation runs the program; it registers no resource itself.",
                        },
                        {
                            regex: COMPONENT_MODULE,
                            message:
                                "tools/ import components' pure spec modules, never a component class.",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["index.ts", "components/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: String.raw`(^|/)tools/`,
                            message:
                                "The program never imports the tools; shared logic belongs in core/.",
                        },
                    ],
                },
            ],
        },
    },
];
