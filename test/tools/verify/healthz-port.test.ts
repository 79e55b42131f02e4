import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CalicoNodePod } from "../../../core/felix-log";
import type { ClusterEnvironment } from "../../../tools/kube/environment";
import { checkHealthzPort, listenerCommand } from "../../../tools/verify/healthz-port";
import { FELIX_VERSIONS, felixStartLines, healthzFailedLine } from "../../support/felix-log-lines";

const NOW = Date.parse("2026-12-03T10:10:00Z");
const NODE = "aks-system-12345678-vmss000000";

const environment = (
    calicoVersion: string | undefined,
    kubeProxyHealthzPort: ClusterEnvironment["kubeProxyHealthzPort"],
): ClusterEnvironment => ({
    calicoVersion,
    operatorImage: undefined,
    operatorVersion: undefined,
    nftablesMode: "Enabled",
    kubeProxyHealthzPort,
    kubeProxyMode: undefined,
    nodes: [],
});
const at10258 = { field: "bpfKubeProxyHealthzPort", port: 10258 } as const;

const pod = (lines: readonly string[], node = NODE): CalicoNodePod => ({
    name: `calico-node-${node.slice(-2)}`,
    node,
    createdAt: NOW - 3_600_000,
    log: lines.join("\n"),
});

for (const version of FELIX_VERSIONS) {
    describe(`checkHealthzPort on Felix ${version}`, () => {
        const start = (port: number) =>
            felixStartLines({ version, pid: 212, at: NOW - 60_000, bpf: true, healthzPort: port });

        it("says Felix serves the port when its log shows the server started and no bind failure", () => {
            const check = checkHealthzPort(environment(version, at10258), [pod(start(10258))], NOW);
            assert.equal(check.problem, undefined);
            assert.equal(check.port, 10258);
            const [node] = check.nodes;
            assert.equal(node?.servedBy, "felix");
            assert.match(node.detail, /started its server on :10258 at 10:09:00Z/);
        });

        it("fails, naming the node and how to see the listener, when Felix cannot bind the lab's port", () => {
            const failing = [
                ...start(10258),
                healthzFailedLine(version, 212, NOW - 2_000, 10258),
                healthzFailedLine(version, 212, NOW - 1_000, 10258),
            ];
            const other = pod(start(10258), "aks-system-12345678-vmss000001");
            const check = checkHealthzPort(
                environment(version, at10258),
                [pod(failing), other],
                NOW,
            );
            assert.deepEqual(
                check.nodes.map((node) => node.servedBy),
                ["other", "felix"],
            );
            assert.match(
                check.nodes[0]?.detail ?? "",
                /cannot bind :10258 .*address already in use/,
            );
            assert.match(
                check.problem ?? "",
                /on :10258 on aks-system-12345678-vmss000000: another process/,
            );
            assert.match(
                check.problem ?? "",
                /verify cannot name \(it reads Felix's log, not the node's sockets\)/,
            );
            assert.ok(check.problem?.includes(listenerCommand(NODE, 10258)));
            assert.doesNotMatch(check.problem ?? "", /lab -- up/);
        });

        it("counts a bind failure that stopped as served", () => {
            const recovered = [
                ...start(10258),
                healthzFailedLine(version, 212, NOW - 50_000, 10258),
            ];
            const check = checkHealthzPort(environment(version, at10258), [pod(recovered)], NOW);
            assert.equal(check.problem, undefined);
            assert.match(
                check.nodes[0]?.detail ?? "",
                /last bind failure at 10:09:10Z, none since/,
            );
        });
    });
}

describe("checkHealthzPort after an AKS upgrade across 3.30.4 -> 3.30.5+", () => {
    it("fails and says to run up when the FelixConfiguration carries the spelling this Calico does not read", () => {
        const stale = environment("v3.30.7", { field: "bpfKubeProxyHealtzPort", port: 10258 });
        const felix = felixStartLines({
            version: "v3.30.7",
            pid: 90,
            at: NOW - 30_000,
            bpf: true,
            healthzPort: 10256,
        });
        const check = checkHealthzPort(
            stale,
            [pod([...felix, healthzFailedLine("v3.30.7", 90, NOW - 500, 10256)])],
            NOW,
        );
        assert.equal(check.port, 10256);
        assert.match(
            check.problem ?? "",
            /^FelixConfiguration sets bpfKubeProxyHealtzPort, but Calico v3\.30\.7 reads bpfKubeProxyHealthzPort, .* 10256, where AKS's kube-proxy listens .*run `npm run lab -- up`$/,
        );
        assert.equal(check.nodes[0]?.servedBy, "other");
    });

    it("fails the same way when the renamed field is gone altogether", () => {
        const check = checkHealthzPort(environment("v3.31.7", undefined), [], NOW);
        assert.match(
            check.problem ?? "",
            /FelixConfiguration sets no healthz port, but Calico v3\.31\.7 reads bpfKubeProxyHealthzPort/,
        );
    });

    it("keeps 3.30.4's own spelling", () => {
        const ok = environment("v3.30.4", { field: "bpfKubeProxyHealtzPort", port: 10258 });
        assert.deepEqual(checkHealthzPort(ok, [], NOW), {
            port: 10258,
            source: "bpfKubeProxyHealtzPort",
            nodes: [],
            problem: undefined,
        });
    });
});

describe("checkHealthzPort where there is nothing to check, or little to see", () => {
    it("checks nothing on a Calico whose Felix starts no health server (3.29, 3.30.3)", () => {
        for (const version of ["v3.29.5", "v3.30.3"]) {
            const check = checkHealthzPort(environment(version, undefined), [pod(["x"])], NOW);
            assert.equal(check.problem, undefined);
            assert.equal(check.port, undefined);
            assert.match(check.source, /starts no kube-proxy health server/);
        }
    });

    it("says it saw nothing when the window has no Felix line", () => {
        const check = checkHealthzPort(environment("v3.31.7", at10258), [pod([])], NOW);
        assert.equal(check.nodes[0]?.servedBy, "unknown");
        assert.equal(check.problem, undefined);
    });
});
