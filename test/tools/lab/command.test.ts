import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AKS_DEFAULT_CALICO_VERSION } from "../../../core/felix-schema";
import { HELP, helpText, UsageError } from "../../../tools/cli/args";
import {
    LAB_COMMAND,
    labHelp,
    mayCreateStack,
    parseLabCommand,
    reachesAzure,
} from "../../../tools/lab/command";

describe("parseLabCommand", () => {
    it("maps the commands users type", () => {
        const none = { yes: false, skipPreview: false, refresh: false, diff: false, targets: [] };
        assert.deepEqual(parseLabCommand(["up"]), {
            kind: "operation",
            operation: "up",
            flags: none,
        });
        assert.deepEqual(parseLabCommand(["up", "--refresh", "--yes"]), {
            kind: "operation",
            operation: "up",
            flags: { ...none, yes: true, refresh: true },
        });
        assert.deepEqual(
            parseLabCommand([
                "destroy",
                "--skip-preview",
                "--diff",
                "--target",
                "a",
                "--target",
                "b",
            ]),
            {
                kind: "operation",
                operation: "destroy",
                flags: { ...none, skipPreview: true, diff: true, targets: ["a", "b"] },
            },
        );
        assert.deepEqual(parseLabCommand(["stack", "output"]), {
            kind: "stack-output",
            showSecrets: false,
        });
        assert.deepEqual(parseLabCommand(["stack", "output", "kubeconfig", "--show-secrets"]), {
            kind: "stack-output",
            name: "kubeconfig",
            showSecrets: true,
        });
        assert.deepEqual(parseLabCommand(["config", "set", "dataplane", "bpf"]), {
            kind: "config-set",
            key: "dataplane",
            value: "bpf",
            path: false,
            secret: false,
        });
        assert.deepEqual(
            parseLabCommand(["config", "set", "--path", "allowedClientCidrs[0]", "1.2.3.4/32"]),
            {
                kind: "config-set",
                key: "allowedClientCidrs[0]",
                value: "1.2.3.4/32",
                path: true,
                secret: false,
            },
        );
        assert.deepEqual(
            parseLabCommand(["config", "set", "--secret", "azure-native:clientSecret"]),
            {
                kind: "config-set",
                key: "azure-native:clientSecret",
                path: false,
                secret: true,
            },
        );
        assert.deepEqual(parseLabCommand(["config", "get", "dataplane"]), {
            kind: "config-get",
            key: "dataplane",
            path: false,
        });
        assert.deepEqual(parseLabCommand(["config", "rm", "wireguard"]), {
            kind: "config-rm",
            key: "wireguard",
            path: false,
        });
        assert.deepEqual(parseLabCommand(["config"]), { kind: "config-list", showSecrets: false });
    });
    it("passes non-stack commands through untouched, their --help included", () => {
        assert.deepEqual(parseLabCommand(["plugin", "ls", "--json"]), {
            kind: "pass-through",
            args: ["plugin", "ls", "--json"],
        });
        assert.deepEqual(parseLabCommand(["version", "--help"]), {
            kind: "pass-through",
            args: ["version", "--help"],
        });
        assert.deepEqual(parseLabCommand(["whoami"]), { kind: "pass-through", args: ["whoami"] });
    });
    it("hands the study's bench options to bench, checked", () => {
        assert.deepEqual(
            parseLabCommand([
                "study",
                "--repeat",
                "3",
                "--services",
                "0,1000",
                "--duration",
                "10",
                "--destroy",
            ]),
            {
                kind: "study",
                options: {
                    fromScratch: false,
                    destroy: true,
                    skipBench: false,
                    benchArgs: ["--repeat", "3", "--duration", "10", "--services", "0,1000"],
                },
            },
        );
        assert.throws(
            () => parseLabCommand(["study", "--repeat", "0"]),
            /--repeat must be an integer from 1 to 50, not "0"/,
        );
        assert.throws(
            () => parseLabCommand(["study", "--services", "many"]),
            /--services takes counts from 0 to 30000/,
        );
        // bench's limits, refused before the study builds anything.
        for (const [option, value, message] of [
            ["--repeat", "51", /--repeat must be an integer from 1 to 50, not "51"/],
            ["--duration", "601", /--duration must be an integer from 1 to 600, not "601"/],
            ["--services", "99999", /--services takes counts from 0 to 30000 .*"99999"/],
        ] as const)
            assert.throws(() => parseLabCommand(["study", option, value]), message);
        assert.throws(
            () => parseLabCommand(["study", "--skip-bench", "--repeat", "2"]),
            /--skip-bench runs no bench/,
        );
    });
    it("says what is missing or extra, not that a lab command is none", () => {
        for (const [argv, message] of [
            [
                ["config", "set", "dataplane"],
                /config set dataplane needs a VALUE \(or --secret, to be asked for it\)/,
            ],
            [["config", "set"], /config set needs a KEY and a VALUE/],
            [["config", "get"], /config get needs a KEY: npm run lab -- config get KEY$/],
            [["config", "rm"], /config rm needs a KEY/],
            [["config", "frob"], /config takes get, set or rm, not "frob"$/],
            [["study", "foo"], /study takes no argument, not "foo"$/],
            [["up", "now"], /up takes no argument, not "now"$/],
            [["stack"], /stack takes `output`/],
        ] as const)
            assert.throws(() => parseLabCommand(argv), message, argv.join(" "));
        assert.throws(() => parseLabCommand(["frob"]), /"frob" is not a lab command/);
    });
    it("takes plan --kubeconfig FILE", () => {
        assert.deepEqual(parseLabCommand(["plan", "--kubeconfig", "k.yaml"]), {
            kind: "plan",
            calicoVersion: AKS_DEFAULT_CALICO_VERSION,
            sets: [],
            kubeconfigFile: "k.yaml",
        });
        assert.throws(
            () => parseLabCommand(["up", "--kubeconfig", "k.yaml"]),
            /does not take --kubeconfig/,
        );
    });
    it("gives study and plan a --help of their own, the rest the lab's", () => {
        const study = helpText(labHelp(["study", "--help"]));
        assert.match(study, /^npm run lab -- study: the whole experiment/);
        assert.match(study, /--skip-bench/);
        assert.doesNotMatch(study, /--set|--show-secrets|stack output/);
        const plan = helpText(labHelp(["plan", "-h"]));
        assert.match(plan, /^npm run lab -- plan: offline/);
        assert.match(plan, /--kubeconfig FILE/);
        assert.doesNotMatch(plan, /--skip-bench|--show-secrets/);
        assert.equal(labHelp(["--help"]), LAB_COMMAND);
        assert.equal(labHelp(["up", "--help"]), LAB_COMMAND);
    });
    it("answers --help anywhere but in a pass-through command", () => {
        assert.equal(parseLabCommand(["--help"]), HELP);
        assert.equal(parseLabCommand(["study", "-h"]), HELP);
    });
    it("calls every malformed line a usage error", () => {
        for (const argv of [
            [],
            ["frob"],
            ["up", "now"],
            ["up", "--secret"],
            ["stack"],
            ["stack", "ls"],
            ["config", "set", "k"],
            ["config", "get"],
            ["refresh", "--refresh"],
            ["preview", "--yes"],
            ["study", "--yes"],
            ["study", "--show-secrets"],
        ]) {
            assert.throws(() => parseLabCommand(argv), UsageError, argv.join(" "));
        }
    });
});

describe("the command's scope", () => {
    it("checks Azure only where Azure is reached, and creates the stack only for writes", () => {
        const parse = (...argv: string[]) => {
            const command = parseLabCommand(argv);
            assert.notEqual(command, HELP);
            return command as Exclude<typeof command, typeof HELP>;
        };
        assert.ok(
            reachesAzure(parse("up")) &&
                reachesAzure(parse("refresh")) &&
                reachesAzure(parse("study")),
        );
        assert.ok(
            !reachesAzure(parse("stack", "output")) &&
                !reachesAzure(parse("config", "set", "k", "v")),
        );
        assert.ok(mayCreateStack(parse("up")) && mayCreateStack(parse("config", "set", "k", "v")));
        for (const argv of [
            ["refresh"],
            ["destroy"],
            ["stack", "output"],
            ["config", "get", "k"],
            ["config"],
            ["config", "rm", "k"],
        ]) {
            assert.ok(!mayCreateStack(parse(...argv)), argv.join(" "));
        }
    });
});
