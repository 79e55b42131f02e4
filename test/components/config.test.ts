import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_DIR } from "../support/paths";
import { parse } from "yaml";
import { CONFIG_KEYS, LabConfigError, parseLabConfig } from "../../components/config";

const parseWith = (values: Record<string, string>) => parseLabConfig((key) => values[key]);

function problemsOf(values: Record<string, string>): readonly string[] {
    try {
        parseWith(values);
    } catch (error) {
        assert.ok(error instanceof LabConfigError, `unexpected error ${String(error)}`);
        return error.problems;
    }
    assert.fail(`expected ${JSON.stringify(values)} to be rejected`);
}

describe("parseLabConfig", () => {
    it("gives the documented defaults for an empty stack", () => {
        const { config, warnings } = parseWith({});
        assert.deepEqual(config, {
            cluster: { kind: "aks" },
            dataplane: "iptables",
            location: "eastus",
            nodeCount: 2,
            nodeVmSize: "Standard_D2s_v3",
            kubernetesVersion: undefined,
            windowsNodePool: false,
            wireguard: false,
            bpfExternalServiceMode: "Tunnel",
            yaobankPolicies: true,
            allowedClientCidrs: undefined,
            apiServerAuthorizedIpRanges: undefined,
        });
        assert.deepEqual(warnings, []);
    });

    it("accepts every valid value", () => {
        const { config } = parseWith({
            dataplane: "bpf",
            location: "westeurope",
            nodeCount: "5",
            nodeVmSize: "Standard_D4as_v5",
            kubernetesVersion: "1.33.2",
            windowsNodePool: "false",
            wireguard: "false",
            bpfExternalServiceMode: "DSR",
        });
        assert.equal(config.dataplane, "bpf");
        assert.equal(config.nodeCount, 5);
        assert.equal(config.kubernetesVersion, "1.33.2");
        assert.equal(config.bpfExternalServiceMode, "DSR");
        assert.equal(parseWith({ kubernetesVersion: "1.32" }).config.kubernetesVersion, "1.32");
        assert.equal(parseWith({ windowsNodePool: "true" }).config.windowsNodePool, true);
        assert.equal(parseWith({ wireguard: "true" }).config.wireguard, true);
    });

    const rejected: [string, Record<string, string>, RegExp][] = [
        [
            "unknown dataplane",
            { dataplane: "ebpf" },
            /dataplane is "ebpf"; allowed: iptables \| bpf/,
        ],
        ["dataplane in the wrong case", { dataplane: "BPF" }, /dataplane is "BPF"/],
        ["nodeCount zero", { nodeCount: "0" }, /nodeCount is "0"; allowed: an integer >= 1/],
        ["nodeCount negative", { nodeCount: "-2" }, /nodeCount is "-2"/],
        // " 3" was taken as 3 while "03" was refused: both are refused now.
        [
            "nodeCount with a space",
            { nodeCount: " 3" },
            /nodeCount is " 3"; allowed: an integer >= 1, in plain digits like 3/,
        ],
        ["nodeCount with a leading zero", { nodeCount: "03" }, /nodeCount is "03"/],
        ["nodeCount fractional", { nodeCount: "2.5" }, /nodeCount is "2.5"/],
        ["nodeCount not a number", { nodeCount: "two" }, /nodeCount is "two"/],
        [
            "location with spaces",
            { location: "East US" },
            /location is "East US"; allowed: an Azure region/,
        ],
        ["VM size without Standard_", { nodeVmSize: "D2s_v3" }, /nodeVmSize is "D2s_v3"/],
        ["malformed version", { kubernetesVersion: "v1.33" }, /kubernetesVersion is "v1.33"/],
        [
            "non-boolean windowsNodePool",
            { windowsNodePool: "yes" },
            /windowsNodePool is "yes"; allowed: true \| false/,
        ],
        ["non-boolean wireguard", { wireguard: "1" }, /wireguard is "1"; allowed: true \| false/],
        [
            "unknown external service mode",
            { bpfExternalServiceMode: "dsr" },
            /bpfExternalServiceMode is "dsr"; allowed: Tunnel \| DSR/,
        ],
        [
            "bpf with a Windows pool",
            { dataplane: "bpf", windowsNodePool: "true" },
            /windowsNodePool is true with aks-calico-lab:dataplane "bpf".*remove the pool first/,
        ],
        [
            "bpf with WireGuard",
            { dataplane: "bpf", wireguard: "true" },
            /wireguard is true with aks-calico-lab:dataplane "bpf"; allowed with bpf: false/,
        ],
    ];
    for (const [name, values, message] of rejected) {
        it(`rejects ${name}, naming the key and the value`, () => {
            const problems = problemsOf(values);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0] ?? "", message);
            assert.match(problems[0] ?? "", /aks-calico-lab:/);
        });
    }

    it("reads allowedClientCidrs as the CLI hands over a list: JSON text; the empty list is unset", () => {
        assert.deepEqual(
            parseWith({ allowedClientCidrs: '["203.0.113.0/24", "2001:db8::/48"]' }).config
                .allowedClientCidrs,
            ["203.0.113.0/24", "2001:db8::/48"],
        );
        assert.equal(parseWith({ allowedClientCidrs: "[]" }).config.allowedClientCidrs, undefined);
        assert.equal(parseWith({ yaobankPolicies: "false" }).config.yaobankPolicies, false);
    });

    it("rejects malformed client CIDRs, saying which and why", () => {
        const [hostBits] = problemsOf({ allowedClientCidrs: '["203.0.113.7/24"]' });
        assert.match(
            hostBits ?? "",
            /allowedClientCidrs: "203.0.113.7\/24" has host bits set; did you mean 203.0.113.0\/24\?/,
        );
        assert.match(
            problemsOf({ allowedClientCidrs: '["office"]' })[0] ?? "",
            /"office" is not a CIDR block/,
        );
        assert.match(
            problemsOf({ allowedClientCidrs: "[1, 2]" })[0] ?? "",
            /allowedClientCidrs is "\[1, 2\]"/,
        );
        assert.match(
            problemsOf({ allowedClientCidrs: "[" })[0] ?? "",
            /allowedClientCidrs is "\["/,
        );
        assert.match(
            problemsOf({ allowedClientCidrs: "203.0.113.0/24" })[0] ?? "",
            /allowedClientCidrs is "203.0.113.0\/24"; allowed: a list of CIDR blocks, set with npm run lab -- config set --path 'allowedClientCidrs\[0\]'/,
        );
    });

    it("warns that an allow-list under iptables only sees clients on the customer pod's node", () => {
        const { warnings } = parseWith({ allowedClientCidrs: '["203.0.113.0/24"]' });
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0] ?? "",
            /allowedClientCidrs is set with aks-calico-lab:dataplane "iptables"/,
        );
        assert.deepEqual(
            parseWith({ dataplane: "bpf", allowedClientCidrs: '["203.0.113.0/24"]' }).warnings,
            [],
        );
    });

    it("refuses an allow-list without the policies that enforce it", () => {
        const problems = problemsOf({
            yaobankPolicies: "false",
            allowedClientCidrs: '["203.0.113.0/24"]',
        });
        assert.match(
            problems[0] ?? "",
            /allowedClientCidrs is set with aks-calico-lab:yaobankPolicies false/,
        );
    });

    it("reports every problem at once", () => {
        const problems = problemsOf({
            dataplane: "bpf",
            nodeCount: "0",
            wireguard: "true",
            windowsNodePool: "true",
        });
        assert.equal(problems.length, 3);
    });

    it("allows Windows and WireGuard with iptables", () => {
        const { config } = parseWith({
            dataplane: "iptables",
            windowsNodePool: "true",
            wireguard: "true",
        });
        assert.equal(config.windowsNodePool, true);
        assert.equal(config.wireguard, true);
    });

    it("warns at preview that a Windows pool on 1.37+, or on AKS's default version, gets Windows Server 2025", () => {
        const warningFor = (kubernetesVersion?: string) =>
            parseWith({
                windowsNodePool: "true",
                ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }),
            }).warnings.filter((w) => w.includes("windowsNodePool"));
        assert.deepEqual(warningFor("1.37"), [
            'aks-calico-lab:windowsNodePool is true with aks-calico-lab:kubernetesVersion "1.37": the ' +
                "Windows pool npwin gets AKS's default Windows Server, 2025 from 1.37, which AKS does not " +
                "list for Calico (Windows Server 2019 and 2022 only); set kubernetesVersion to 1.36 or " +
                "earlier to keep Windows Server 2022",
        ]);
        assert.match(
            warningFor("1.38.2")[0] ?? "",
            /kubernetesVersion "1\.38\.2": the Windows pool npwin/,
        );
        assert.match(
            warningFor(undefined)[0] ?? "",
            /kubernetesVersion unset, so AKS picks its default version: the Windows pool npwin/,
        );
        assert.deepEqual(warningFor("1.36"), []);
        assert.deepEqual(warningFor("1.33.5"), []);
        assert.deepEqual(
            parseWith({ kubernetesVersion: "1.37" }).warnings.filter((w) => w.includes("Windows")),
            [],
        );
    });

    it("warns, without failing, when an eBPF-only key is set under iptables", () => {
        const { config, warnings } = parseWith({ bpfExternalServiceMode: "DSR" });
        assert.equal(config.bpfExternalServiceMode, "DSR");
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0] ?? "",
            /bpfExternalServiceMode is "DSR" but has no effect with aks-calico-lab:dataplane "iptables"/,
        );
        assert.deepEqual(
            parseWith({ dataplane: "bpf", bpfExternalServiceMode: "Tunnel" }).warnings,
            [],
        );
        // The CLI merges Pulumi.yaml's default into every stack: Tunnel is no sign of intent.
        assert.deepEqual(parseWith({ bpfExternalServiceMode: "Tunnel" }).warnings, []);
    });

    it("warns that DSR is untested behind Azure's load balancer", () => {
        const { warnings } = parseWith({ dataplane: "bpf", bpfExternalServiceMode: "DSR" });
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? "", /"DSR".*untested behind Azure's/);
    });

    it("refuses a key Pulumi.yaml does not declare, naming the declared key nearest to it", () => {
        assert.throws(
            () => parseLabConfig(() => undefined, ["dataPlane", "nodecount", "dataplane"]),
            (error: Error) => {
                assert.ok(error instanceof LabConfigError);
                assert.deepEqual(
                    error.problems.map((p) =>
                        /^(\S+) is not a setting .*did you mean (\S+)\?/.exec(p)?.slice(1),
                    ),
                    [
                        ["aks-calico-lab:dataPlane", "dataplane"],
                        ["aks-calico-lab:nodecount", "nodeCount"],
                    ],
                );
                assert.match(error.message, /npm run lab -- config rm dataPlane/);
                return true;
            },
        );
        // Every key Pulumi.yaml declares is accepted, whatever CONFIG_KEYS says.
        const declared = Object.keys(
            (parse(readFileSync(join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as { config: object })
                .config,
        );
        assert.doesNotThrow(() => parseLabConfig(() => undefined, declared));
    });
    it("puts the key, the value and the fix in the error message", () => {
        assert.throws(
            () => parseWith({ dataplane: "ebpf" }),
            (error: Error) => {
                assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack");
                assert.equal(error.message.split("\n").length, 1, error.message);
                assert.match(error.message, /aks-calico-lab:dataplane is "ebpf"/);
                assert.match(error.message, /`npm run lab -- config set <key> <value>`/);
                return true;
            },
        );
    });
});

describe("Pulumi.yaml config block", () => {
    const project = parse(readFileSync(join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<
            string,
            {
                type: string;
                default?: unknown;
                description: string;
                items?: { type: string };
            }
        >;
    };

    it("declares exactly the keys the program reads", () => {
        assert.equal(project.name, "aks-calico-lab");
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
    });

    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        it(`documents ${key} with the program's type, default and description`, () => {
            const declared = project.config[key];
            assert.ok(declared);
            assert.equal(declared.type, spec.type);
            const declaredDefault =
                typeof declared.default === "string"
                    ? declared.default
                    : JSON.stringify(declared.default);
            assert.equal(declaredDefault, spec.default);
            assert.equal(declared.description, spec.description);
            assert.equal(declared.items?.type, spec.type === "array" ? "string" : undefined);
        });
    }
});

describe("the config table of docs/configuration.md", () => {
    const readme = readFileSync(join(PROJECT_DIR, "docs", "configuration.md"), "utf8").split("\n");
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        it(`lists ${key} with the program's default`, () => {
            const row = readme.find((line) => line.startsWith(`| \`${key}\``));
            assert.ok(row, `no docs/configuration.md row for ${key}`);
            const shown = spec.default === "" ? "unset" : `\`${spec.default}\``;
            assert.ok(row.includes(`default ${shown}`), row);
        });
    }
});

describe("what a preview warns about", () => {
    it("warns when the node count is far beyond a lab, naming the count and the VM size", () => {
        const [warning] = parseWith({ nodeCount: "25", nodeVmSize: "Standard_D8s_v5" }).warnings;
        assert.match(
            warning ?? "",
            /nodeCount is 25: 25 Standard_D8s_v5 VMs are billed by the hour/,
        );
        assert.deepEqual(parseWith({ nodeCount: "10" }).warnings, []);
    });

    it("reminds that authorized API server ranges must include this machine", () => {
        const { config, warnings } = parseWith({
            apiServerAuthorizedIpRanges: '["203.0.113.0/24"]',
        });
        assert.deepEqual(config.apiServerAuthorizedIpRanges, ["203.0.113.0/24"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? "", /203\.0\.113\.0\/24.*include its public address/);
    });
});

const KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: lab",
    "contexts:",
    "  - name: other",
    "    context: { cluster: far }",
    "  - name: lab",
    "    context: { cluster: near, user: me }",
    "clusters:",
    "  - name: far",
    "    cluster: { server: 'https://far.example:8443' }",
    "  - name: near",
    "    cluster:",
    "      server: https://10.0.0.1:6443",
    "      certificate-authority-data: c2VjcmV0LWNhLWRhdGE=",
    "users:",
    "  - name: me",
    "    user: { token: s3cret-token }",
].join("\n");

describe("cluster: aks | existing", () => {
    const secret = (key: string) => key === "aks-calico-lab:existingKubeconfig";
    const parseSecret = (values: Record<string, string>) =>
        parseLabConfig((key) => values[key], [], secret);
    const problemsWith = (values: Record<string, string>): readonly string[] => {
        try {
            parseSecret(values);
        } catch (error) {
            assert.ok(error instanceof LabConfigError, `unexpected error ${String(error)}`);
            return error.problems;
        }
        assert.fail(`expected ${JSON.stringify(values)} to be rejected`);
    };

    it("takes a secret kubeconfig's current context server, with its own port", () => {
        const { config, warnings } = parseSecret({
            cluster: "existing",
            existingKubeconfig: KUBECONFIG,
        });
        assert.deepEqual(config.cluster, {
            kind: "kubeconfig",
            apiServer: { host: "10.0.0.1", port: 6443 },
        });
        assert.deepEqual(warnings, []);
    });

    it("takes an AKS cluster as <resource group>/<cluster name>", () => {
        const { config } = parseSecret({
            cluster: "existing",
            existingAksCluster: "platform-rg/aks-prod",
        });
        assert.deepEqual(config.cluster, {
            kind: "existing-aks",
            cluster: { resourceGroupName: "platform-rg", clusterName: "aks-prod" },
        });
        assert.deepEqual(
            parseSecret({ cluster: "existing", existingAksCluster: "rg.(team)_1/c" }).config
                .cluster,
            {
                kind: "existing-aks",
                cluster: { resourceGroupName: "rg.(team)_1", clusterName: "c" },
            },
        );
    });

    const rejected: [string, Record<string, string>, RegExp][] = [
        ["an unknown mode", { cluster: "byo" }, /cluster is "byo"; allowed: aks \| existing/],
        [
            "existing with no cluster named",
            { cluster: "existing" },
            /cluster is "existing" but names no cluster; allowed: exactly one of aks-calico-lab:existingKubeconfig .* or aks-calico-lab:existingAksCluster/,
        ],
        [
            "existing with both sources",
            { cluster: "existing", existingKubeconfig: KUBECONFIG, existingAksCluster: "rg/c" },
            /existingKubeconfig and aks-calico-lab:existingAksCluster are both set .*exactly one/,
        ],
        [
            "a source with cluster aks (which would create a billed cluster beside it)",
            { existingAksCluster: "rg/c" },
            /existingAksCluster is set with aks-calico-lab:cluster "aks", which creates a new cluster; set cluster existing/,
        ],
        [
            "an AKS cluster without its resource group",
            { cluster: "existing", existingAksCluster: "aks-prod" },
            /existingAksCluster is "aks-prod"; allowed: <resource group>\/<cluster name>/,
        ],
        [
            "a cluster name ending in a hyphen",
            { cluster: "existing", existingAksCluster: "rg/aks-" },
            /existingAksCluster is "rg\/aks-"/,
        ],
        [
            "a resource group ending in a dot",
            { cluster: "existing", existingAksCluster: "rg./c" },
            /existingAksCluster is "rg.\/c"/,
        ],
        [
            "a kubeconfig without a current context",
            {
                cluster: "existing",
                existingKubeconfig: KUBECONFIG.replace("current-context: lab", ""),
            },
            /existingKubeconfig is not a kubeconfig the lab can use: it has no current-context/,
        ],
        [
            "a kubeconfig whose server sits behind a path",
            {
                cluster: "existing",
                existingKubeconfig: KUBECONFIG.replace(
                    "https://10.0.0.1:6443",
                    "https://rancher.example/k8s/clusters/c-1",
                ),
            },
            /existingKubeconfig is not a kubeconfig .*server URL has a path/,
        ],
        [
            "text that is not YAML",
            { cluster: "existing", existingKubeconfig: "a: [" },
            /it is not YAML/,
        ],
    ];
    for (const [name, values, message] of rejected) {
        it(`rejects ${name}, in one line`, () => {
            const problems = problemsWith(values);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0] ?? "", message);
            assert.equal((problems[0] ?? "").split("\n").length, 1);
        });
    }

    it("refuses a kubeconfig stored in plain text, and never quotes it", () => {
        const problems = problemsOf({ cluster: "existing", existingKubeconfig: KUBECONFIG });
        assert.equal(problems.length, 1);
        assert.match(
            problems[0] ?? "",
            /existingKubeconfig is stored in plain text; allowed: a secret, set with pulumi config set --secret existingKubeconfig/,
        );
        const bad = problemsOf({
            cluster: "existing",
            existingKubeconfig: KUBECONFIG.replace("current-context: lab", "current-context: gone"),
        });
        for (const problem of [...problems, ...bad]) {
            assert.ok(!problem.includes("s3cret-token"), problem);
            assert.ok(!problem.includes("c2VjcmV0LWNhLWRhdGE="), problem);
        }
    });

    it("warns, in one line, that AKS-only settings changed from their defaults do nothing on an existing cluster", () => {
        const { warnings } = parseSecret({
            cluster: "existing",
            existingAksCluster: "rg/c",
            nodeCount: "25",
            location: "westeurope",
            windowsNodePool: "true",
            apiServerAuthorizedIpRanges: '["203.0.113.0/24"]',
        });
        assert.equal(warnings.length, 1, warnings.join("\n"));
        assert.match(
            warnings[0] ?? "",
            /^aks-calico-lab:location, aks-calico-lab:nodeCount, aks-calico-lab:windowsNodePool, aks-calico-lab:apiServerAuthorizedIpRanges have no effect with aks-calico-lab:cluster "existing".*pulumi config rm location nodeCount windowsNodePool apiServerAuthorizedIpRanges\)$/,
        );
        // Pulumi.yaml's defaults, merged into every stack by the CLI, are no sign of intent.
        assert.deepEqual(
            parseSecret({ cluster: "existing", existingAksCluster: "rg/c", nodeCount: "2" })
                .warnings,
            [],
        );
    });

    it("lets bpf run on an existing cluster whatever windowsNodePool says (it adds no pool there)", () => {
        const { config, warnings } = parseSecret({
            cluster: "existing",
            existingAksCluster: "rg/c",
            dataplane: "bpf",
            windowsNodePool: "true",
        });
        assert.equal(config.dataplane, "bpf");
        assert.match(warnings[0] ?? "", /windowsNodePool has no effect/);
    });
});

describe("apiServerAuthorizedIpRanges", () => {
    it("takes IPv4 blocks only, at most 200, and never the whole internet", () => {
        assert.match(
            problemsOf({ apiServerAuthorizedIpRanges: '["2001:db8::/48"]' })[0] ?? "",
            /apiServerAuthorizedIpRanges: "2001:db8::\/48" is not IPv4/,
        );
        assert.match(
            problemsOf({ apiServerAuthorizedIpRanges: '["0.0.0.0/0"]' })[0] ?? "",
            /"0.0.0.0\/0" lets every address in, as no list does/,
        );
        const many = JSON.stringify(Array.from({ length: 201 }, (_, i) => `10.${i}.0.0/16`));
        assert.match(
            problemsOf({ apiServerAuthorizedIpRanges: many })[0] ?? "",
            /has 201 blocks; allowed: at most 200/,
        );
        assert.match(
            problemsOf({ apiServerAuthorizedIpRanges: '["203.0.113.7/24"]' })[0] ?? "",
            /host bits set; did you mean 203.0.113.0\/24\?/,
        );
    });
});
