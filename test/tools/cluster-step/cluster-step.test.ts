import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeClock } from "../../support/clock";
import type { CalicoSnapshot, RolloutStatus } from "../../../core/convergence";
import { parseStep, runStep, type Cluster } from "../../../tools/cluster-step/cluster-step";
import { NotConvergedError } from "../../../tools/cli/poll";

describe("parseStep", () => {
    it("reads the two steps with their default deadlines", () => {
        assert.deepEqual(parseStep(["wait-dataplane", "bpf"]), {
            kind: "wait-dataplane",
            dataplane: "bpf",
            timeoutSeconds: 1200,
        });
        assert.deepEqual(parseStep(["restart", "kube-system/coredns", "--timeout-seconds", "90"]), {
            kind: "restart",
            namespace: "kube-system",
            deployment: "coredns",
            timeoutSeconds: 90,
        });
    });

    it("reads the readiness gate", () => {
        assert.deepEqual(parseStep(["wait-calico"]), { kind: "wait-calico", timeoutSeconds: 900 });
        assert.throws(() => parseStep(["wait-calico", "now"]), /unexpected arguments: now/);
    });

    it("rejects what it cannot run, saying what it expects", () => {
        assert.throws(
            () => parseStep(["wait-dataplane", "ebpf"]),
            /needs one of iptables, bpf, not "ebpf"/,
        );
        assert.throws(() => parseStep(["restart", "coredns"]), /needs <namespace>\/<deployment>/);
        assert.throws(
            () => parseStep(["restart", "a/b", "--timeout-seconds", "0"]),
            /positive integer/,
        );
        assert.throws(() => parseStep(["reboot"]), /usage:/);
        assert.throws(
            () => parseStep(["wait-dataplane", "bpf", "extra"]),
            /unexpected arguments: extra/,
        );
    });
});

/** A cluster whose state moves one step each time it is read. */
class FakeCluster implements Cluster {
    readonly calls: string[] = [];
    constructor(
        private readonly calico: CalicoSnapshot[],
        private readonly deployments: (RolloutStatus | undefined)[],
    ) {}
    readCalico() {
        this.calls.push("readCalico");
        return Promise.resolve(
            this.calico.length > 1
                ? (this.calico.shift() as CalicoSnapshot)
                : (this.calico[0] as CalicoSnapshot),
        );
    }
    readDeployment(namespace: string, name: string) {
        this.calls.push(`readDeployment ${namespace}/${name}`);
        return Promise.resolve(
            this.deployments.length > 1 ? this.deployments.shift() : this.deployments[0],
        );
    }
    restartDeployment(namespace: string, name: string, at: Date) {
        this.calls.push(`restart ${namespace}/${name} ${at.toISOString()}`);
        return Promise.resolve();
    }
}

const instant = { intervalMs: 1, clock: { now: () => 0, sleep: () => Promise.resolve() } };
const rolledOut = {
    generation: 3,
    observedGeneration: 3,
    desired: 2,
    updated: 2,
    available: 2,
    stale: 0,
};
const bpfLive: CalicoSnapshot = {
    linuxDataplane: "BPF",
    installationGeneration: 2,
    felixConfigurationFound: true,
    felixBpfEnabled: true,
    calicoNode: rolledOut,
    tigeraStatus: [
        { type: "Available", status: "True" },
        { type: "Progressing", status: "False" },
        { type: "Degraded", status: "False" },
    ],
};

describe("runStep", () => {
    it("wait-dataplane returns once the switch holds for three looks", async () => {
        const cluster = new FakeCluster([{ ...bpfLive, felixBpfEnabled: false }, bpfLive], []);
        const lines: string[] = [];
        const result = await runStep(
            { kind: "wait-dataplane", dataplane: "bpf", timeoutSeconds: 60 },
            cluster,
            {
                poll: instant,
                log: (l) => lines.push(l),
            },
        );
        assert.equal(result, "Calico's bpf dataplane is live");
        assert.equal(cluster.calls.length, 4);
        assert.match(lines[0] ?? "", /bpfEnabled is false, want true/);
        assert.match(lines[1] ?? "", /converged/);
    });

    it("wait-calico returns once the operator has created what the lab patches", async () => {
        const fresh: CalicoSnapshot = {
            ...bpfLive,
            felixConfigurationFound: false,
            felixBpfEnabled: undefined,
            tigeraStatus: undefined,
        };
        const cluster = new FakeCluster([fresh, bpfLive], []);
        const lines: string[] = [];
        const result = await runStep({ kind: "wait-calico", timeoutSeconds: 60 }, cluster, {
            poll: instant,
            log: (l) => lines.push(l),
        });
        assert.match(result, /Calico is up/);
        assert.match(
            lines[0] ?? "",
            /FelixConfiguration default not found; TigeraStatus calico: Available is missing/,
        );
        assert.equal(cluster.calls.length, 2);
    });

    it("wait-dataplane fails with what did not converge", async () => {
        const cluster = new FakeCluster([{ ...bpfLive, felixBpfEnabled: false }], []);
        const clock = fakeClock();
        await assert.rejects(
            runStep({ kind: "wait-dataplane", dataplane: "bpf", timeoutSeconds: 30 }, cluster, {
                poll: { intervalMs: 10_000, clock },
                log: () => undefined,
            }),
            (error: unknown) =>
                error instanceof NotConvergedError &&
                /did not converge within 30s/.test(error.message) &&
                /bpfEnabled is false/.test(error.message),
        );
        assert.equal(cluster.calls.length, 4);
    });

    it("restart stamps the pod template, then waits for the new generation to roll out", async () => {
        const at = new Date("2026-11-23T10:00:00Z");
        const cluster = new FakeCluster(
            [],
            [
                rolledOut,
                { ...rolledOut }, // read before the controller saw the restart: not done yet
                { ...rolledOut, generation: 4, observedGeneration: 4, updated: 1, stale: 2 },
                { ...rolledOut, generation: 4, observedGeneration: 4 },
            ],
        );
        const result = await runStep(
            {
                kind: "restart",
                namespace: "kube-system",
                deployment: "coredns",
                timeoutSeconds: 60,
            },
            cluster,
            {
                poll: instant,
                log: () => undefined,
                now: () => at,
            },
        );
        assert.equal(result, "Deployment kube-system/coredns restarted");
        assert.deepEqual(cluster.calls, [
            "readDeployment kube-system/coredns",
            "restart kube-system/coredns 2026-11-23T10:00:00.000Z",
            "readDeployment kube-system/coredns",
            "readDeployment kube-system/coredns",
            "readDeployment kube-system/coredns",
        ]);
    });

    it("restart refuses a Deployment that does not exist", async () => {
        const cluster = new FakeCluster([], [undefined]);
        await assert.rejects(
            runStep(
                {
                    kind: "restart",
                    namespace: "kube-system",
                    deployment: "coredns",
                    timeoutSeconds: 60,
                },
                cluster,
                { log: () => undefined },
            ),
            /Deployment kube-system\/coredns not found/,
        );
        assert.ok(!cluster.calls.some((c) => c.startsWith("restart")));
    });
});
