import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { find, ofType, runProgram, runProgramRaw, type ProgramRun } from "./support/program";

const CLUSTER_TYPES = [
    "azure-native:resources:ResourceGroup",
    "azure-native:containerservice:ManagedCluster",
    "pulumi:providers:kubernetes",
];

function clusterInputs(run: ProgramRun) {
    return CLUSTER_TYPES.map((type) => ({ type, inputs: find(run, type).inputs }));
}

describe("the whole program under mocks", () => {
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        const [iptables, bpf, windows] = await Promise.all([
            runProgram({ dataplane: "iptables" }),
            runProgram({ dataplane: "bpf", bpfExternalServiceMode: "DSR" }),
            runProgram({ dataplane: "iptables", windowsNodePool: "true" }),
        ]);
        Object.assign(runs, { iptables, bpf, windows });
    });

    it("sends the same cluster inputs whatever the dataplane", () => {
        const { iptables, bpf } = runs as { iptables: ProgramRun; bpf: ProgramRun };
        assert.deepEqual(clusterInputs(bpf), clusterInputs(iptables));
        assert.equal(bpf.outputs["dataplane"], "bpf");
    });

    it("adds the Windows pool as its own AgentPool without touching the cluster's inputs", () => {
        const { iptables, windows } = runs as { iptables: ProgramRun; windows: ProgramRun };
        assert.deepEqual(clusterInputs(windows), clusterInputs(iptables));
        const pool = find(windows, "azure-native:containerservice:AgentPool");
        const cluster = find(windows, "azure-native:containerservice:ManagedCluster");
        assert.ok(pool.dependencies.includes(cluster.urn));
        assert.deepEqual(pool.inputs, {
            resourceGroupName: "lab-rg-a1b2c3",
            resourceName: "lab-aks-d4e5f6",
            agentPoolName: "npwin",
            mode: "User",
            osType: "Windows",
            enableFIPS: true,
            type: "VirtualMachineScaleSets",
            vmSize: "Standard_D2s_v3",
            count: 1,
        });
    });

    it("sends exactly the same thing twice for the same config, so a second up finds nothing to change", async () => {
        const again = await runProgram({ dataplane: "bpf", bpfExternalServiceMode: "DSR" });
        const { bpf } = runs as { bpf: ProgramRun };
        const sent = (run: ProgramRun) =>
            run.registrations
                .map((r) => ({
                    urn: r.urn,
                    inputs: r.inputs,
                    dependencies: [...r.dependencies].sort(),
                }))
                .sort((a, b) => a.urn.localeCompare(b.urn));
        assert.deepEqual(sent(again), sent(bpf));
    });

    it("sends every Kubernetes resource through the cluster's explicit provider", () => {
        for (const run of Object.values(runs)) {
            const provider = find(run, "pulumi:providers:kubernetes");
            const kubernetes = run.registrations.filter((r) => r.type.startsWith("kubernetes:"));
            for (const resource of kubernetes) {
                assert.ok(
                    resource.provider.startsWith(`${provider.urn}::`),
                    `${resource.urn} uses provider "${resource.provider}"`,
                );
            }
        }
    });
});

describe("a fresh stack, as the CLI hands it to the program", () => {
    it("previews with Pulumi.yaml's defaults alone: no warning, the whole lab", async () => {
        const run = await runProgram({});
        assert.deepEqual(run.warnings, []);
        assert.equal(run.error, undefined);
        for (const type of [
            ...CLUSTER_TYPES,
            "aks-calico-lab:index:CalicoDataplane",
            "aks-calico-lab:index:Yaobank",
            "kubernetes:core/v1:Service",
        ]) {
            assert.ok(ofType(run, type).length >= 1, type);
        }
        assert.equal(run.outputs["dataplane"], "iptables");
        assert.equal(
            find(run, "azure-native:containerservice:ManagedCluster").inputs[
                "apiServerAccessProfile"
            ],
            undefined,
        );
    });

    it("limits the API server to the authorized ranges, and says to include this machine", async () => {
        const run = await runProgram({
            apiServerAuthorizedIpRanges: ["198.51.100.7/32", "203.0.113.0/24"],
        });
        const cluster = find(run, "azure-native:containerservice:ManagedCluster");
        assert.deepEqual(cluster.inputs["apiServerAccessProfile"], {
            authorizedIPRanges: ["198.51.100.7/32", "203.0.113.0/24"],
        });
        assert.equal(run.warnings.length, 1);
        assert.match(run.warnings[0] ?? "", /include its public address/);
    });
});

describe("bad configuration", () => {
    const cases: [string, Record<string, string>, RegExp][] = [
        ["an unknown dataplane", { dataplane: "ebpf" }, /aks-calico-lab:dataplane is "ebpf"/],
        ["a zero nodeCount", { nodeCount: "0" }, /aks-calico-lab:nodeCount is "0"/],
        [
            "bpf with Windows",
            { dataplane: "bpf", windowsNodePool: "true" },
            /windowsNodePool is true/,
        ],
        ["bpf with WireGuard", { dataplane: "bpf", wireguard: "true" }, /wireguard is true/],
        [
            "a bad external service mode",
            { bpfExternalServiceMode: "Direct" },
            /bpfExternalServiceMode is "Direct"/,
        ],
    ];
    for (const [name, config, message] of cases) {
        it(`fails on ${name} before any resource is registered, in one line without a stack`, async () => {
            const run = await runProgramRaw(config);
            assert.match(run.error ?? "", message);
            assert.equal(run.errorIsRunError, true);
            assert.equal((run.error ?? "").split("\n").length, 1);
            assert.equal(run.registrations.length, 0);
        });
    }

    it("refuses a misspelled key instead of ignoring it (the CLI hands undeclared keys through)", async () => {
        const run = await runProgramRaw({ dataPlane: "bpf" });
        assert.equal(run.errorIsRunError, true);
        assert.match(
            run.error ?? "",
            /aks-calico-lab:dataPlane is not a setting of this lab; did you mean dataplane\?/,
        );
        assert.deepEqual(run.registrations, []);
    });
    it("reaches the lab's own check for a malformed count (the CLI passes strings through)", async () => {
        const run = await runProgramRaw({ nodeCount: "abc" });
        assert.equal(run.refusedByCli, undefined);
        assert.match(
            run.error ?? "",
            /aks-calico-lab:nodeCount is "abc"; allowed: an integer >= 1/,
        );
    });

    it("leaves a list set without --path to the CLI, which refuses it before the program runs", async () => {
        const run = await runProgramRaw({ allowedClientCidrs: "203.0.113.0/24" });
        assert.equal(run.refusedByCli, true);
        assert.match(
            run.error ?? "",
            /configuration key 'allowedClientCidrs' must be of type 'array<string>'/,
        );
    });

    it("warns through Pulumi's log when an eBPF-only setting is given under iptables", async () => {
        const run = await runProgram({ bpfExternalServiceMode: "DSR" });
        assert.equal(run.warnings.length, 1);
        assert.match(run.warnings[0] ?? "", /bpfExternalServiceMode is "DSR" but has no effect/);
        assert.ok(ofType(run, "azure-native:containerservice:ManagedCluster").length === 1);
    });
});
