/** What `npm run lab -- …` asks for: one declaration gives the parsing and the --help text. */
import { AKS_DEFAULT_CALICO_VERSION, isCalicoVersion } from "../../core/felix-schema";
import { isOneOf } from "../../core/parse";
import {
    HELP,
    parseCommandLine,
    UsageError,
    type CommandLine,
    type CommandSpec,
} from "../cli/args";
import { PROJECT_DIR } from "../cli/project";
import { parseBenchOptions } from "../bench/options";
import { STUDY_DIR_NAME } from "./study/plan";

const OPERATIONS = ["up", "preview", "refresh", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Pulumi commands about no stack: run as typed, without selecting or creating one. */
const PASS_THROUGH = ["version", "whoami", "about", "plugin", "cancel"] as const;

export interface StudyOptions {
    readonly fromScratch: boolean;
    readonly destroy: boolean;
    readonly skipBench: boolean;
    /** Handed to `npm run bench` as given, checked by bench's own parser first. */
    readonly benchArgs: readonly string[];
}

/**
 * The flags Pulumi users type with these commands, handed to the CLI as given (pulumi/pulumi
 * pkg/cmd/pulumi/operations up.go, destroy.go, refresh.go, preview.go @v3.276.0).
 */
export interface OperationFlags {
    /** Skip the confirmation after the preview. */
    readonly yes: boolean;
    /** No preview; the CLI takes it as --yes too (up.go: `yes = yes || skipPreview`). */
    readonly skipPreview: boolean;
    /** Refresh the stack's state before the operation. */
    readonly refresh: boolean;
    /** Show the preview as a diff. */
    readonly diff: boolean;
    /** Only these resource URNs. */
    readonly targets: readonly string[];
}

/** Which of the flags each operation takes (refresh has no --refresh; preview neither asks nor skips itself). */
const OPERATION_FLAGS: Readonly<Record<Operation, readonly string[]>> = {
    up: ["yes", "skip-preview", "refresh", "diff", "target"],
    destroy: ["yes", "skip-preview", "refresh", "diff", "target"],
    refresh: ["yes", "skip-preview", "diff", "target"],
    preview: ["refresh", "diff", "target"],
};

export type LabCommand =
    | {
          readonly kind: "operation";
          readonly operation: Operation;
          readonly flags: OperationFlags;
      }
    | { readonly kind: "stack-output"; readonly name?: string; readonly showSecrets: boolean }
    | { readonly kind: "config-list"; readonly showSecrets: boolean }
    | { readonly kind: "config-get"; readonly key: string; readonly path: boolean }
    | {
          readonly kind: "config-set";
          readonly key: string;
          readonly value?: string;
          readonly path: boolean;
          readonly secret: boolean;
      }
    | { readonly kind: "config-rm"; readonly key: string; readonly path: boolean }
    | { readonly kind: "study"; readonly options: StudyOptions }
    | {
          readonly kind: "plan";
          readonly calicoVersion: string;
          readonly sets: readonly string[];
          readonly kubeconfigFile?: string;
      }
    | { readonly kind: "pass-through"; readonly args: readonly string[] };

export const LAB_COMMAND: CommandSpec = {
    name: "npm run lab --",
    summary:
        "builds, flips, measures and removes the lab through Pulumi's Automation API, with local state and no hand-installed Pulumi CLI",
    usage: [
        "up | destroy | refresh [--yes] [--skip-preview] [--refresh] [--diff] [--target URN]...",
        "preview [--refresh] [--diff] [--target URN]...",
        "plan [--set KEY=VALUE]... [--kubeconfig FILE] [--calico VERSION]",
        "stack output [NAME] [--show-secrets]",
        "config [--show-secrets]",
        "config get KEY [--path]",
        "config set KEY [VALUE] [--path] [--secret]",
        "config rm KEY [--path]",
        "study [--from-scratch] [--destroy] [--skip-bench] [--repeat N] [--services LIST] [--duration S]",
        "version | whoami | about | plugin ... | cancel --stack NAME",
    ],
    positionals: ["COMMAND", "SUBCOMMAND", "KEY", "VALUE"],
    options: {
        yes: {
            type: "boolean",
            description:
                "up, destroy, refresh: go ahead after the preview without asking (needed without a terminal)",
        },
        "skip-preview": {
            type: "boolean",
            description:
                "up, destroy, refresh: no preview, no question (implies --yes, as in Pulumi)",
        },
        refresh: {
            type: "boolean",
            description: "up, destroy, preview: read the real state of the resources first",
        },
        diff: {
            type: "boolean",
            description: "up, destroy, refresh, preview: show a detailed diff",
        },
        target: {
            type: "string",
            value: "URN",
            multiple: true,
            description: "up, destroy, refresh, preview: only this resource (repeatable)",
        },
        set: {
            type: "string",
            value: "KEY=VALUE",
            multiple: true,
            description: "plan: a setting over the stack's (repeatable); a list key takes JSON",
        },
        kubeconfig: {
            type: "string",
            value: "FILE",
            description:
                "plan: the lab on the cluster of FILE's current context (as cluster existing with existingKubeconfig)",
        },
        calico: {
            type: "string",
            value: "VERSION",
            description: `plan: the Calico line the simulated cluster runs (default: ${AKS_DEFAULT_CALICO_VERSION}, what AKS's default version ships)`,
        },
        "show-secrets": {
            type: "boolean",
            description: "stack output, config: print secret values (the kubeconfig) in clear",
        },
        path: { type: "boolean", description: "config: KEY is a path, e.g. allowedClientCidrs[0]" },
        secret: {
            type: "boolean",
            description:
                "config set: store VALUE encrypted; without VALUE it is asked for (or read from stdin)",
        },
        "from-scratch": {
            type: "boolean",
            description: "study: run every step again, ignoring the results on disk",
        },
        destroy: {
            type: "boolean",
            description: "study: destroy the lab at the end (never on a failure)",
        },
        "skip-bench": {
            type: "boolean",
            description: "study: build, flip, verify and revert without measuring",
        },
        repeat: { type: "string", value: "N", description: "study: passed to npm run bench" },
        services: { type: "string", value: "LIST", description: "study: passed to npm run bench" },
        duration: { type: "string", value: "S", description: "study: passed to npm run bench" },
    },
    notes: [
        "Commands:",
        "  up                 build or update the lab (creates the stack on first use)",
        "  preview            show what up would change",
        "  refresh            read the real state of the lab's resources into the stack",
        "  destroy            remove everything the lab created",
        "                     up, destroy and refresh run the Pulumi CLI itself: it previews, then asks",
        "                     on the terminal; --yes answers for you, and without a terminal is required",
        "  plan               offline, with no CLI, Azure or cluster: runs the program on the stack's",
        "                     settings against a simulated cluster and prints each resource, the exact",
        "                     patches and step commands, then the warnings and errors a preview shows",
        "  stack output       the stack's outputs (kubeconfig, yaobankUrl, dataplane, ...)",
        "  config ...         the stack's settings, e.g. `config set dataplane bpf`",
        `  study              the whole experiment: build, verify and measure iptables, flip to eBPF,`,
        `                     verify and measure, flip back and verify; report in bench-results/${STUDY_DIR_NAME}/`,
        "  version, whoami, about, plugin   the Pulumi CLI's own, about no stack",
        "  cancel             the Pulumi CLI's: removes the lock a killed update left on a stack",
        "",
        "Before anything else it checks Node, the Pulumi CLI (PATH, else it installs the version matching",
        "@pulumi/pulumi into ${XDG_CACHE_HOME:-~/.cache}/aks-calico-lab/pulumi/) and, for commands that",
        "reach Azure, a credential @pulumi/azure-native accepts: `az login`, or ARM_* variables.",
        "",
        "Environment: LAB_STACK (stack name, default dev); PULUMI_CONFIG_PASSPHRASE or",
        "PULUMI_CONFIG_PASSPHRASE_FILE (else the passphrase is asked on the terminal, never echoed);",
        "PULUMI_BACKEND_URL (default: the project's .pulumi-state/ folder).",
    ],
    exitCodes: [
        [0, "done"],
        [1, "a check, the Pulumi CLI or a study step failed (one line says which and why)"],
        [2, "a usage error (the line says what to fix)"],
        [130, "interrupted (Ctrl-C): the CLI cancelled cleanly; run the command again to continue"],
    ],
    examples: [
        "npm run lab -- up",
        "npm run lab -- up --refresh",
        "npm run -s lab -- plan --set dataplane=bpf --calico 3.30.4",
        "npm run lab -- config set dataplane bpf && npm run lab -- up",
        "npm run -s lab -- stack output kubeconfig --show-secrets > kubeconfig",
        "npm run lab -- study --repeat 3",
        "npm run lab -- study --skip-bench --destroy",
        "npm run lab -- destroy",
        "npm run lab -- destroy --yes",
    ],
};

const COMMAND_LIST =
    "up, preview, refresh, destroy, plan, stack output, config, study, version, whoami, about, plugin, cancel";

/** Which options each command takes; anything else given is a usage error. */
const ALLOWED: Readonly<
    Record<Exclude<LabCommand["kind"], "pass-through" | "operation">, readonly string[]>
> = {
    "stack-output": ["show-secrets"],
    "config-list": ["show-secrets"],
    "config-get": ["path"],
    "config-set": ["path", "secret"],
    "config-rm": ["path"],
    study: ["from-scratch", "destroy", "skip-bench", "repeat", "services", "duration"],
    plan: ["set", "kubeconfig", "calico"],
};

function studyOptions(values: CommandLine["values"]): StudyOptions {
    const benchArgs = (["repeat", "duration", "services"] as const).flatMap((name) => {
        const value = values[name];
        return typeof value === "string" ? [`--${name}`, value] : [];
    });
    if (values["skip-bench"] === true && benchArgs.length > 0)
        throw new UsageError(
            "--skip-bench runs no bench: drop --repeat, --services and --duration",
        );
    // bench's own parser, so the study refuses before building anything what bench would refuse after.
    parseBenchOptions(benchArgs, PROJECT_DIR, {});
    return {
        fromScratch: values["from-scratch"] === true,
        destroy: values["destroy"] === true,
        skipBench: values["skip-bench"] === true,
        benchArgs,
    };
}

function operationFlags(values: CommandLine["values"]): OperationFlags {
    const targets = values["target"];
    return {
        yes: values["yes"] === true,
        skipPreview: values["skip-preview"] === true,
        refresh: values["refresh"] === true,
        diff: values["diff"] === true,
        targets: Array.isArray(targets) ? targets : [],
    };
}

/** The CLI's own flags for an operation, as Pulumi users type them. */
export function operationArgs(flags: OperationFlags): string[] {
    return [
        ...(flags.yes ? ["--yes"] : []),
        ...(flags.skipPreview ? ["--skip-preview"] : []),
        ...(flags.refresh ? ["--refresh"] : []),
        ...(flags.diff ? ["--diff"] : []),
        ...flags.targets.flatMap((urn) => ["--target", urn]),
    ];
}

/** What is missing from, or extra on, a line that starts with a lab command; undefined if it does not. */
function missingArgument(
    word: string,
    sub: string | undefined,
    key: string | undefined,
    value: string | undefined,
): string | undefined {
    if (isOneOf(OPERATIONS, word) || word === "study" || word === "plan")
        return `${word} takes no argument, not "${[sub, key, value].filter((a) => a !== undefined).join(" ")}"`;
    if (word === "stack" && sub !== "output")
        return "stack takes `output`: npm run lab -- stack output [NAME]";
    if (word === "stack") return `stack output takes one NAME, not "${key ?? ""} ${value ?? ""}"`;
    if (word !== "config") return undefined;
    if (sub === "set" && key === undefined)
        return "config set needs a KEY and a VALUE: npm run lab -- config set KEY VALUE";
    if (sub === "set" && value === undefined)
        return `config set ${key ?? ""} needs a VALUE (or --secret, to be asked for it): npm run lab -- config set ${key ?? ""} VALUE`;
    if ((sub === "get" || sub === "rm") && key === undefined)
        return `config ${sub} needs a KEY: npm run lab -- config ${sub} KEY`;
    if (sub === "get" || sub === "rm")
        return `config ${sub} takes one KEY, not "${key ?? ""} ${value ?? ""}"`;
    return `config takes get, set or rm, not "${sub ?? ""}"`;
}

/** Commands with options of their own, and what their --help says beyond the options. */
const COMMAND_HELP = {
    plan: {
        summary:
            "offline, with no Pulumi CLI, Azure login or cluster: runs the program on the stack's settings against a simulated cluster and prints each resource, the exact patches and step commands, then the warnings and errors a preview shows",
        exitCodes: [
            [0, "a preview would pass"],
            [
                1,
                "a preview would stop on an error (the plan's Errors: and one line on stderr say which)",
            ],
            [2, "a usage error (the line says what to fix)"],
        ],
        examples: [
            "npm run -s lab -- plan --set dataplane=bpf",
            "npm run -s lab -- plan --set dataplane=bpf --calico 3.30.4 > plan.txt",
            "npm run -s lab -- plan --set cluster=existing --set existingAksCluster=my-rg/my-cluster",
            "npm run -s lab -- plan --kubeconfig ~/.kube/config",
        ],
    },
    study: {
        summary: `the whole experiment on the lab's stack: build, verify and measure iptables, flip to eBPF, verify and measure, flip back and verify; the report in bench-results/${STUDY_DIR_NAME}/`,
        exitCodes: [
            [0, "every step passed"],
            [1, "a step failed: the line names it, the study resumes there when run again"],
            [2, "a usage error (the line says what to fix)"],
            [130, "interrupted (Ctrl-C): run it again to resume"],
        ],
        examples: [
            "npm run lab -- study",
            "npm run lab -- study --skip-bench",
            "npm run lab -- study --repeat 3 --duration 30 --destroy",
        ],
    },
} as const;

/** The --help a line asks for: a command's own (plan, study), else the lab's. */
export function labHelp(argv: readonly string[]): CommandSpec {
    const word = argv.find((arg) => !arg.startsWith("-"));
    if (word !== "plan" && word !== "study") return LAB_COMMAND;
    const help = COMMAND_HELP[word];
    return {
        name: `npm run lab -- ${word}`,
        summary: help.summary,
        usage: [
            LAB_COMMAND.usage.find((line) => line.startsWith(word))?.slice(word.length + 1) ?? "",
        ],
        options: Object.fromEntries(
            Object.entries(LAB_COMMAND.options)
                .filter(([name]) => ALLOWED[word].includes(name))
                .map(([name, option]) => [
                    name,
                    { ...option, description: option.description.replace(`${word}: `, "") },
                ]),
        ),
        notes: ["Environment: LAB_STACK (stack name, default dev)."],
        exitCodes: help.exitCodes,
        examples: help.examples,
    };
}

/** The command a line asks for; HELP for --help/-h; UsageError (exit 2) for anything else. */
export function parseLabCommand(argv: readonly string[]): LabCommand | typeof HELP {
    const [first] = argv;
    if (first !== undefined && isOneOf(PASS_THROUGH, first))
        return { kind: "pass-through", args: argv };
    const line = parseCommandLine(LAB_COMMAND, argv);
    if (line === HELP) return HELP;
    const [word, sub, key, value] = line.positionals;
    const flag = (name: string) => line.values[name] === true;
    const command = ((): LabCommand => {
        if (word === undefined) throw new UsageError(`name a command: ${COMMAND_LIST}`);
        if (isOneOf(OPERATIONS, word) && sub === undefined)
            return { kind: "operation", operation: word, flags: operationFlags(line.values) };
        if (word === "plan" && sub === undefined) {
            const calicoVersion = line.values["calico"] ?? AKS_DEFAULT_CALICO_VERSION;
            if (typeof calicoVersion !== "string" || !isCalicoVersion(calicoVersion))
                throw new UsageError(
                    `--calico takes a Calico release like ${AKS_DEFAULT_CALICO_VERSION}, not "${String(calicoVersion)}"`,
                );
            const sets = line.values["set"];
            const kubeconfigFile = line.values["kubeconfig"];
            return {
                kind: "plan",
                calicoVersion: calicoVersion.replace(/^v/, ""),
                sets: Array.isArray(sets) ? sets : [],
                ...(typeof kubeconfigFile === "string" ? { kubeconfigFile } : {}),
            };
        }
        if (word === "study" && sub === undefined)
            return { kind: "study", options: studyOptions(line.values) };
        if (word === "stack" && sub === "output" && value === undefined)
            return {
                kind: "stack-output",
                ...(key === undefined ? {} : { name: key }),
                showSecrets: flag("show-secrets"),
            };
        if (word === "config" && sub === undefined)
            return { kind: "config-list", showSecrets: flag("show-secrets") };
        if (word === "config" && key !== undefined) {
            if (sub === "set" && (value !== undefined || flag("secret")))
                return {
                    kind: "config-set",
                    key,
                    ...(value === undefined ? {} : { value }),
                    path: flag("path"),
                    secret: flag("secret"),
                };
            if (sub === "get" && value === undefined)
                return { kind: "config-get", key, path: flag("path") };
            if (sub === "rm" && value === undefined)
                return { kind: "config-rm", key, path: flag("path") };
        }
        const missing = missingArgument(word, sub, key, value);
        if (missing !== undefined) throw new UsageError(missing);
        throw new UsageError(
            `"${line.positionals.join(" ")}" is not a lab command (${COMMAND_LIST}); ` +
                "for any other Pulumi command, run `pulumi` itself in the project folder",
        );
    })();
    const allowed =
        command.kind === "operation"
            ? OPERATION_FLAGS[command.operation]
            : command.kind === "pass-through"
              ? []
              : ALLOWED[command.kind];
    const extra = Object.keys(line.values).filter(
        (name) => line.values[name] !== undefined && !allowed.includes(name),
    );
    if (extra.length > 0) {
        throw new UsageError(
            `${line.positionals.slice(0, 2).join(" ")} does not take ${extra.map((name) => `--${name}`).join(", ")}`,
        );
    }
    return command;
}

/** Commands that reach Azure, so need a credential up front. */
export const reachesAzure = (command: LabCommand): boolean =>
    command.kind === "operation" || command.kind === "study";

/** Commands that may create the stack; every other one only selects it. */
export const mayCreateStack = (command: LabCommand): boolean =>
    (command.kind === "operation" &&
        (command.operation === "up" || command.operation === "preview")) ||
    command.kind === "config-set" ||
    command.kind === "study";
