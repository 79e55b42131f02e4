import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { felixStartLines } from "../../support/felix-log-lines";
import { fakeClock } from "../../support/clock";
import { fixtureText } from "../../support/fixtures";
import type { CalicoApis } from "../../../core/calico-preflight";
import type { CalicoSnapshot, RolloutStatus } from "../../../core/convergence";
import type { CalicoNodePod } from "../../../core/felix-log";
import type { EbpfFlipFacts } from "../../../core/ctlb-kernel-guard";
import { HELP, UsageError } from "../../../tools/cli/args";
import { parseStep, runStep, type Cluster } from "../../../tools/cluster-step/cluster-step";
import { NotConvergedError } from "../../../tools/cli/poll";

const SWITCH = "2026-11-23T10:00:00Z";
const since = new Date(SWITCH);

describe("parseStep", () => {
    it("reads the steps with their default deadlines and the switch time", () => {
        assert.deepEqual(parseStep(["wait-dataplane", "bpf", "--since", SWITCH]), {
            kind: "wait-dataplane",
            dataplane: "bpf",
            since,
            timeoutSeconds: 1200,
        });
        assert.deepEqual(
            parseStep([
                "restart",
                "kube-system/coredns",
                "--since",
                SWITCH,
                "--timeout-seconds",
                "90",
            ]),
            {
                kind: "restart",
                namespace: "kube-system",
                deployment: "coredns",
                since,
                timeoutSeconds: 90,
            },
        );
        assert.deepEqual(parseStep(["wait-ctlb-detached", "--since", SWITCH]), {
            kind: "wait-ctlb-detached",
            since,
            timeoutSeconds: 600,
        });
        assert.deepEqual(parseStep(["wait-calico"], {}), {
            kind: "wait-calico",
            existing: false,
            timeoutSeconds: 900,
        });
        assert.deepEqual(parseStep(["wait-calico", "--existing"], {}), {
            kind: "wait-calico",
            existing: true,
            timeoutSeconds: 900,
        });
        assert.deepEqual(parseStep(["refuse-destroy-on-ebpf"], {}), {
            kind: "refuse-destroy-on-ebpf",
        });
        assert.equal(parseStep(["--help"]), HELP);
    });

    it("takes the default deadline from LAB_STEP_TIMEOUT_SECONDS when set; --timeout-seconds still wins", () => {
        const env = { LAB_STEP_TIMEOUT_SECONDS: "90" };
        assert.deepEqual(parseStep(["wait-calico"], env), {
            kind: "wait-calico",
            existing: false,
            timeoutSeconds: 90,
        });
        assert.deepEqual(parseStep(["wait-calico", "--timeout-seconds", "5"], env), {
            kind: "wait-calico",
            existing: false,
            timeoutSeconds: 5,
        });
        assert.throws(
            () => parseStep(["wait-calico"], { LAB_STEP_TIMEOUT_SECONDS: "soon" }),
            /LAB_STEP_TIMEOUT_SECONDS.*positive integer/,
        );
    });

    it("rejects what it cannot run as a usage error, saying what it expects", () => {
        const cases: [string[], RegExp][] = [
            [["wait-calico", "now"], /unexpected argument\(s\): now/],
            [
                ["wait-dataplane", "ebpf", "--since", SWITCH],
                /needs one of iptables, bpf, not "ebpf"/,
            ],
            [["wait-dataplane", "bpf"], /wait-dataplane needs --since.*not ""/],
            [["wait-dataplane", "bpf", "--since", ""], /needs --since/],
            [["wait-ctlb-detached", "--since", "yesterday"], /needs --since.*not "yesterday"/],
            [["restart", "coredns", "--since", SWITCH], /needs <namespace>\/<deployment>/],
            [["restart", "a/b", "--since", SWITCH, "--timeout-seconds", "0"], /positive integer/],
            [["reboot"], /unknown step "reboot"/],
            [["refuse-destroy-on-ebpf", "now"], /unexpected argument\(s\): now/],
            [
                ["wait-dataplane", "bpf", "extra", "--since", SWITCH],
                /unexpected argument\(s\): extra/,
            ],
        ];
        for (const [argv, message] of cases) {
            assert.throws(() => parseStep(argv), UsageError, argv.join(" "));
            assert.throws(() => parseStep(argv), message, argv.join(" "));
        }
    });
});

const ALL_APIS: CalicoApis = { installationCrd: true, felixCrd: true, felixV3Crd: false };

/** A cluster whose state moves one step each time it is read. */
/** AKS's own nodes today run kernels before 6.12 (Ubuntu 24.04: 6.8). */
const SAFE_FLIP: EbpfFlipFacts = {
    calicoVersion: "v3.31.2",
    connectTimeLoadBalancing: undefined,
    orphanedCtlbManagers: [],
    nodes: [{ name: "aks-nodepool1-0", kernelVersion: "6.8.0-1041-azure" }],
};

class FakeCluster implements Cluster {
    readonly calls: string[] = [];
    constructor(
        private readonly calico: CalicoSnapshot[],
        private readonly deployments: (RolloutStatus | undefined)[] = [],
        private readonly nodes: CalicoNodePod[][] = [[]],
        private readonly apis: CalicoApis = ALL_APIS,
        private readonly flipFacts: EbpfFlipFacts = SAFE_FLIP,
    ) {}
    private next<T>(queue: T[]): T {
        return (queue.length > 1 ? queue.shift() : queue[0]) as T;
    }
    readCalico() {
        this.calls.push("readCalico");
        return Promise.resolve(this.next(this.calico));
    }
    readCalicoApis() {
        this.calls.push("readCalicoApis");
        return Promise.resolve(this.apis);
    }
    readEbpfFlipFacts() {
        this.calls.push("readEbpfFlipFacts");
        return Promise.resolve(this.flipFacts);
    }
    readCalicoNodes(from: Date) {
        this.calls.push(`readCalicoNodes ${from.toISOString()}`);
        return Promise.resolve(this.next(this.nodes));
    }
    readDeployment(namespace: string, name: string) {
        this.calls.push(`readDeployment ${namespace}/${name}`);
        return Promise.resolve(this.next(this.deployments));
    }
    releaseFelixConfiguration(manager: string) {
        this.calls.push(`release ${manager}`);
        return Promise.resolve();
    }
    restartDeployment(namespace: string, name: string, at: Date) {
        this.calls.push(`restart ${namespace}/${name} ${at.toISOString()}`);
        return Promise.resolve();
    }
}

const instant = { intervalMs: 1, clock: { now: () => 0, sleep: () => Promise.resolve() } };
const quiet = { poll: instant, log: () => undefined };
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
const iptablesLive: CalicoSnapshot = {
    ...bpfLive,
    linuxDataplane: "Iptables",
    felixBpfEnabled: false,
};

/** calico-node pods shaped like the real ones: one rolled after the switch, its Felix now in eBPF. */
const newLog = fixtureText("felix-log-new-pod-to-bpf.txt");
const rolled = (node: string, log = newLog): CalicoNodePod => ({
    name: `calico-node-${node.slice(-2)}`,
    node,
    createdAt: Date.parse("2026-11-23T10:01:10Z"),
    log,
});
const stillIptables = (node: string) =>
    rolled(node, newLog.slice(0, newLog.indexOf("2026-11-23T10:02:40")));
const untouched = (node: string): CalicoNodePod => ({
    name: `calico-node-${node.slice(-2)}`,
    node,
    createdAt: Date.parse("2026-11-20T08:00:00Z"),
    log: "",
});

describe("runStep wait-dataplane", () => {
    const step = { kind: "wait-dataplane", dataplane: "bpf", since, timeoutSeconds: 60 } as const;

    it("waits past the operator for every node's Felix to start eBPF since the switch", async () => {
        const cluster = new FakeCluster(
            [{ ...bpfLive, felixBpfEnabled: false }, bpfLive],
            [],
            [
                [rolled("vmss000000"), stillIptables("vmss000001")],
                [rolled("vmss000000"), rolled("vmss000001")],
            ],
        );
        const lines: string[] = [];
        const result = await runStep(step, cluster, { poll: instant, log: (l) => lines.push(l) });
        assert.equal(result, "Calico's bpf dataplane is live on every node");
        assert.match(lines[0] ?? "", /bpfEnabled is false, want true/);
        assert.match(
            lines[1] ?? "",
            /node vmss000001 .* runs iptables \(nftablesMode Disabled\), want bpf/,
        );
        assert.doesNotMatch(lines[1] ?? "", /vmss000000/);
        assert.match(lines[2] ?? "", /converged/);
        assert.deepEqual(
            cluster.calls.filter((c) => c.startsWith("readCalicoNodes")),
            Array(2).fill(`readCalicoNodes ${since.toISOString()}`),
        );
    });

    it("says when the cluster is in operator 1.40's nftables phase, in the operator's words and then Felix's", async () => {
        const nftablesPhase = { ...bpfLive, felixBpfEnabled: false, felixNftablesMode: "Enabled" };
        const bpfWithNftables = { ...bpfLive, felixNftablesMode: "Enabled" };
        const nftablesFelix = felixStartLines({
            version: "v3.31.7",
            pid: 150,
            at: since.getTime() + 20_000,
            bpf: false,
            nftablesMode: "Enabled",
        });
        const cluster = new FakeCluster(
            [nftablesPhase, bpfWithNftables],
            [],
            [[rolled("vmss000000", nftablesFelix.join("\n"))], [rolled("vmss000000")]],
        );
        const lines: string[] = [];
        const result = await runStep(step, cluster, { poll: instant, log: (l) => lines.push(l) });
        assert.equal(result, "Calico's bpf dataplane (nftablesMode Enabled) is live on every node");
        assert.match(
            lines[0] ?? "",
            /bpfEnabled is false, want true .*nftablesMode is Enabled: the operator's nftables phase before eBPF/,
        );
        assert.match(
            lines[1] ?? "",
            /node vmss000000 .* runs nftables \(nftablesMode Enabled\), want bpf \(the operator's nftables phase/,
        );
    });

    it("is done at once when nothing switched: the operator reports it settled and no Felix restarted", async () => {
        const cluster = new FakeCluster([iptablesLive], [], [[untouched("vmss000000")]]);
        const result = await runStep({ ...step, dataplane: "iptables" }, cluster, quiet);
        assert.match(result, /iptables dataplane is live/);
        assert.deepEqual(cluster.calls, ["readCalico", `readCalicoNodes ${since.toISOString()}`]);
    });

    it("names a node that is not Ready while the roll waits on it, and ends once it is back", async () => {
        const down = { name: "vmss000001", status: "Unknown", reason: "NodeStatusUnknown" };
        const stalled = {
            ...bpfLive,
            felixBpfEnabled: false,
            calicoNode: { ...rolledOut, updated: 1 },
            notReadyNodes: [down],
        };
        const cluster = new FakeCluster(
            [stalled, { ...bpfLive, notReadyNodes: [] }],
            [],
            [[rolled("vmss000000"), rolled("vmss000001")]],
        );
        const lines: string[] = [];
        const result = await runStep(step, cluster, { poll: instant, log: (l) => lines.push(l) });
        assert.match(result, /bpf dataplane is live on every node/);
        assert.match(
            lines[0] ?? "",
            /^\[\d+s\] node vmss000001 is not Ready \(Unknown: NodeStatusUnknown\); .*1 of \d+ updated/,
        );
    });

    it("fails at the deadline naming a node that stayed down, first", async () => {
        const down = { name: "vmss000001", status: "Unknown" };
        const cluster = new FakeCluster(
            [{ ...bpfLive, notReadyNodes: [down] }],
            [],
            [[rolled("vmss000000"), rolled("vmss000001", "")]],
        );
        await assert.rejects(
            runStep({ ...step, timeoutSeconds: 30 }, cluster, {
                poll: { intervalMs: 10_000, clock: fakeClock() },
                log: () => undefined,
            }),
            /did not converge within 30s.*- node vmss000001 is not Ready \(Unknown\)\n {2}- node vmss000001 .*no Felix run logged/s,
        );
    });

    it("fails at the deadline naming the nodes whose Felix did not report", async () => {
        const cluster = new FakeCluster(
            [bpfLive],
            [],
            [[rolled("vmss000000"), stillIptables("vmss000001"), rolled("vmss000002", "")]],
        );
        const clock = fakeClock();
        await assert.rejects(
            runStep({ ...step, timeoutSeconds: 30 }, cluster, {
                poll: { clock },
                log: () => undefined,
            }),
            (error: unknown) => {
                assert.ok(error instanceof NotConvergedError);
                // The wait's own interval: a look every 5 s, the last one at the 30 s deadline.
                assert.deepEqual(clock.sleeps, Array<number>(6).fill(5_000));
                assert.match(error.message, /did not converge within 30s/);
                assert.match(
                    error.message,
                    /node vmss000001 .* runs iptables \(nftablesMode Disabled\), want bpf/,
                );
                assert.match(
                    error.message,
                    /node vmss000002 .* no Felix run logged since 10:00:00Z/,
                );
                assert.doesNotMatch(error.message, /vmss000000/);
                return true;
            },
        );
    });
});

describe("runStep wait-ctlb-detached", () => {
    const step = {
        kind: "wait-ctlb-detached",
        since: new Date("2026-11-23T11:20:04Z"),
        timeoutSeconds: 60,
    } as const;
    const detached: CalicoNodePod = {
        ...rolled("vmss000000"),
        log: fixtureText("felix-log-ctlb-disabled.txt"),
    };

    it("waits while eBPF is live until every Felix restarted without the connect-time load balancer", async () => {
        const notYet = { ...detached, log: "" };
        const cluster = new FakeCluster([bpfLive], [], [[notYet], [detached]]);
        const lines: string[] = [];
        const result = await runStep(step, cluster, { poll: instant, log: (l) => lines.push(l) });
        assert.match(result, /restarted in eBPF mode without the connect-time load balancer/);
        assert.match(lines[0] ?? "", /vmss000000 .* Felix has not restarted since 11:20:04Z/);
    });

    it("names a node that is not Ready while its Felix has not restarted", async () => {
        const down = { name: "vmss000000", status: "Unknown", reason: "NodeStatusUnknown" };
        const cluster = new FakeCluster(
            [{ ...bpfLive, notReadyNodes: [down] }, bpfLive],
            [],
            [[{ ...detached, log: "" }], [detached]],
        );
        const lines: string[] = [];
        await runStep(step, cluster, { poll: instant, log: (l) => lines.push(l) });
        assert.match(
            lines[0] ?? "",
            /node vmss000000 is not Ready \(Unknown: NodeStatusUnknown\); .*vmss000000 .* Felix has not restarted/,
        );
    });

    it("has nothing to wait for when eBPF is not live", async () => {
        const cluster = new FakeCluster([iptablesLive], [], [[{ ...detached, log: "" }]]);
        const result = await runStep(step, cluster, quiet);
        assert.match(result, /eBPF is not live/);
        assert.deepEqual(cluster.calls, ["readCalico"]);
    });
});

describe("runStep restart", () => {
    const step = {
        kind: "restart",
        namespace: "kube-system",
        deployment: "coredns",
        since,
        timeoutSeconds: 60,
    } as const;
    const at = new Date("2026-11-23T10:05:00Z");

    it("restarts once calico-node rolled since the switch, then waits for the new generation", async () => {
        const cluster = new FakeCluster(
            [],
            [
                rolledOut,
                { ...rolledOut }, // read before the controller saw the restart: not done yet
                { ...rolledOut, generation: 4, observedGeneration: 4, updated: 1, stale: 2 },
                { ...rolledOut, generation: 4, observedGeneration: 4 },
            ],
            [[rolled("vmss000000")]],
        );
        const result = await runStep(step, cluster, { ...quiet, now: () => at });
        assert.equal(result, "Deployment kube-system/coredns restarted");
        assert.deepEqual(cluster.calls, [
            `readCalicoNodes ${since.toISOString()}`,
            "readDeployment kube-system/coredns",
            "restart kube-system/coredns 2026-11-23T10:05:00.000Z",
            "readDeployment kube-system/coredns",
            "readDeployment kube-system/coredns",
            "readDeployment kube-system/coredns",
        ]);
    });

    it("restarts nothing when calico-node did not roll: the dataplane did not change on the nodes", async () => {
        const cluster = new FakeCluster([], [rolledOut], [[untouched("vmss000000")]]);
        const result = await runStep(step, cluster, quiet);
        assert.match(result, /calico-node did not roll since 2026-11-23T10:00:00Z/);
        assert.ok(!cluster.calls.some((c) => c.startsWith("restart")));
    });

    it("refuses a Deployment that does not exist", async () => {
        const cluster = new FakeCluster([], [undefined], [[rolled("vmss000000")]]);
        await assert.rejects(
            runStep(step, cluster, quiet),
            /Deployment kube-system\/coredns not found/,
        );
        assert.ok(!cluster.calls.some((c) => c.startsWith("restart")));
    });
});

describe("runStep wait-calico", () => {
    const fresh: CalicoSnapshot = {
        ...bpfLive,
        felixConfigurationFound: false,
        felixBpfEnabled: undefined,
        tigeraStatus: undefined,
    };

    it("returns once the operator has created what the lab patches", async () => {
        const cluster = new FakeCluster([fresh, bpfLive]);
        const lines: string[] = [];
        const result = await runStep(
            { kind: "wait-calico", existing: false, timeoutSeconds: 60 },
            cluster,
            { poll: instant, log: (l) => lines.push(l) },
        );
        assert.match(result, /Calico is up/);
        assert.match(
            lines[0] ?? "",
            /FelixConfiguration default not found; TigeraStatus calico: Available is missing/,
        );
        assert.equal(cluster.calls.filter((c) => c === "readCalico").length, 2);
    });

    it("on a cluster the lab created, waits for CRDs the operator has not registered yet", async () => {
        const noCrds = { installationCrd: false, felixCrd: false, felixV3Crd: false };
        const cluster = new FakeCluster(
            [{ ...fresh, installationGeneration: undefined }],
            [],
            [[]],
            noCrds,
        );
        await assert.rejects(
            runStep({ kind: "wait-calico", existing: false, timeoutSeconds: 30 }, cluster, {
                poll: { intervalMs: 10_000, clock: fakeClock() },
                log: () => undefined,
            }),
            NotConvergedError,
        );
        assert.ok(cluster.calls.filter((c) => c === "readCalico").length > 1);
    });

    it("on an existing cluster, fails at its first look naming what is missing", async () => {
        const cases: [CalicoApis, CalicoSnapshot, RegExp][] = [
            [
                { installationCrd: false, felixCrd: false, felixV3Crd: false },
                { ...fresh, installationGeneration: undefined },
                /no CRD installations\.operator\.tigera\.io, no CRD felixconfigurations\.crd\.projectcalico\.org; nothing was patched$/,
            ],
            [
                { installationCrd: true, felixCrd: true, felixV3Crd: false },
                { ...fresh, installationGeneration: undefined },
                /no Installation default; nothing was patched$/,
            ],
        ];
        for (const [apis, snapshot, message] of cases) {
            const cluster = new FakeCluster([snapshot, bpfLive], [], [[]], apis);
            await assert.rejects(
                runStep(
                    { kind: "wait-calico", existing: true, timeoutSeconds: 600 },
                    cluster,
                    quiet,
                ),
                (error: Error) => {
                    assert.match(error.message, message);
                    assert.equal(error.message.split("\n").length, 1);
                    return true;
                },
            );
            assert.equal(cluster.calls.filter((c) => c === "readCalico").length, 1);
        }
    });

    it("on any cluster, refuses the projectcalico.org/v3 API group at once", async () => {
        for (const existing of [false, true]) {
            const v3 = { installationCrd: true, felixCrd: false, felixV3Crd: true };
            const cluster = new FakeCluster([fresh, bpfLive], [], [[]], v3);
            await assert.rejects(
                runStep({ kind: "wait-calico", existing, timeoutSeconds: 600 }, cluster, quiet),
                /runs the projectcalico\.org\/v3 API group .*which the lab does not switch yet; nothing was patched/,
            );
            assert.equal(cluster.calls.filter((c) => c === "readCalico").length, 1);
        }
    });
});

describe("runStep refuse-destroy-on-ebpf", () => {
    it("refuses while eBPF is live, naming the command that flips back", async () => {
        const halfway = { ...bpfLive, linuxDataplane: "Iptables", felixBpfEnabled: true };
        for (const snapshot of [bpfLive, halfway]) {
            await assert.rejects(
                runStep({ kind: "refuse-destroy-on-ebpf" }, new FakeCluster([snapshot]), quiet),
                /npm run lab -- config set dataplane iptables && npm run lab -- up/,
            );
        }
    });

    it("lets a destroy of a cluster that is gone go on only when the user said so", async () => {
        const gone = new Error("connect ECONNREFUSED");
        const unreachable = new FakeCluster([bpfLive]);
        unreachable.readCalico = () => Promise.reject(gone);
        const result = await runStep({ kind: "refuse-destroy-on-ebpf" }, unreachable, {
            ...quiet,
            clusterGone: (error) => error === gone,
        });
        assert.match(result, /PULUMI_K8S_DELETE_UNREACHABLE=true says it is gone/);
        await assert.rejects(
            runStep({ kind: "refuse-destroy-on-ebpf" }, unreachable, {
                ...quiet,
                clusterGone: () => false,
            }),
            /ECONNREFUSED/,
        );
    });

    it("lets the destroy go on when Calico runs iptables", async () => {
        const iptables = { ...bpfLive, linuxDataplane: "Iptables", felixBpfEnabled: false };
        const result = await runStep(
            { kind: "refuse-destroy-on-ebpf" },
            new FakeCluster([iptables]),
            quiet,
        );
        assert.match(result, /not on eBPF/);
    });
});

describe("runStep preflight-ebpf", () => {
    const step = { kind: "preflight-ebpf" } as const;
    const newKernel = {
        ...SAFE_FLIP,
        nodes: [
            { name: "aks-nodepool1-0", kernelVersion: "6.8.0-1041-azure" },
            { name: "aks-nodepool1-1", kernelVersion: "6.12.9-azure" },
        ],
    };

    it("stops in one line, after one read and before any write, where Felix would panic on a node's kernel", async () => {
        const cluster = new FakeCluster([bpfLive], [], [[]], ALL_APIS, newKernel);
        await assert.rejects(runStep(step, cluster, quiet), (error: unknown) => {
            assert.ok(error instanceof Error);
            assert.doesNotMatch(error.message, /\n/);
            assert.match(error.message, /aks-nodepool1-1 \(kernel 6\.12\.9-azure\)/);
            assert.doesNotMatch(error.message, /aks-nodepool1-0/);
            assert.match(error.message, /Calico v3\.31\.2/);
            return true;
        });
        assert.deepEqual(cluster.calls, ["readEbpfFlipFacts"]);
    });

    it("goes on with a fixed Calico, or with the connect-time load balancer Disabled", async () => {
        for (const facts of [
            { ...newKernel, calicoVersion: "v3.31.7" },
            { ...newKernel, connectTimeLoadBalancing: "Disabled" },
            SAFE_FLIP,
        ]) {
            const cluster = new FakeCluster([bpfLive], [], [[]], ALL_APIS, facts);
            assert.match(await runStep(step, cluster, quiet), /the switch to eBPF goes on/);
        }
    });

    it("releases the connect-time LB from a lost state's patches before the switch goes on, and says so", async () => {
        const orphans = ["pulumi-kubernetes-9a9d90a2", "pulumi-kubernetes-5f3a9c1e"];
        const facts = { ...SAFE_FLIP, orphanedCtlbManagers: orphans };
        const cluster = new FakeCluster([bpfLive], [], [[]], ALL_APIS, facts);
        const said = await runStep(step, cluster, quiet);
        assert.deepEqual(cluster.calls, [
            "readEbpfFlipFacts",
            ...orphans.map((m) => `release ${m}`),
        ]);
        assert.match(
            said,
            /released bpfConnectTimeLoadBalancing from pulumi-kubernetes-9a9d90a2, pulumi-kubernetes-5f3a9c1e/,
        );
        assert.doesNotMatch(said, /\n/);
    });

    it("releases nothing when the kernel check stops the switch", async () => {
        const facts = { ...newKernel, orphanedCtlbManagers: ["pulumi-kubernetes-9a9d90a2"] };
        const cluster = new FakeCluster([bpfLive], [], [[]], ALL_APIS, facts);
        await assert.rejects(runStep(step, cluster, quiet));
        assert.deepEqual(cluster.calls, ["readEbpfFlipFacts"]);
    });

    it("is a step the command line accepts, without arguments", () => {
        assert.deepEqual(parseStep(["preflight-ebpf"]), { kind: "preflight-ebpf" });
        assert.throws(() => parseStep(["preflight-ebpf", "x"]), UsageError);
    });
});

describe("a Felix log level above Info", () => {
    const warning = { ...bpfLive, felixLogSeverityScreen: "Warning" };

    it("ends the dataplane wait at its first look, naming the field and the fix", async () => {
        const cluster = new FakeCluster([warning], [], [[rolled("vmss000000")]]);
        await assert.rejects(
            runStep(
                { kind: "wait-dataplane", dataplane: "bpf", since, timeoutSeconds: 60 },
                cluster,
                quiet,
            ),
            /FelixConfiguration default spec\.logSeverityScreen is "Warning".*kubectl patch felixconfiguration default --type merge -p '\{"spec":\{"logSeverityScreen":"Info"\}\}'$/,
        );
        assert.deepEqual(cluster.calls, ["readCalico"]);
    });

    it("ends the connect-time load balancer's wait too, and lets Info, Debug or unset through", async () => {
        const step = { kind: "wait-ctlb-detached", since, timeoutSeconds: 60 } as const;
        await assert.rejects(
            runStep(
                step,
                new FakeCluster([{ ...warning, felixLogSeverityScreen: "error" }]),
                quiet,
            ),
            /logSeverityScreen is "error"/,
        );
        for (const level of ["Info", "DEBUG", undefined]) {
            const settled = { ...iptablesLive, felixLogSeverityScreen: level };
            const cluster = new FakeCluster([settled], [], [[untouched("vmss000000")]]);
            const done = await runStep(
                { kind: "wait-dataplane", dataplane: "iptables", since, timeoutSeconds: 60 },
                cluster,
                quiet,
            );
            assert.match(done, /live on every node/);
        }
    });
});
