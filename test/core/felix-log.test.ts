import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    calicoNodeRolledSince,
    ctlbDetach,
    felixRuns,
    parseFelixLog,
    pendingFelixDataplane,
    runMode,
    type CalicoNodePod,
} from "../../core/felix-log";
import { fixtureText } from "../support/fixtures";
import { FELIX_VERSIONS, felixStartLines, type FelixStart } from "../support/felix-log-lines";
import { withKubeletTimestamps } from "../support/kubelet-log";

const at = (time: string): number => Date.parse(time);
/** The switch: the Installation patch applied at 10:00:00 (managedFields time, whole seconds). */
const SWITCH = at("2026-11-23T10:00:00Z");

/** A pod created after the switch that started Felix in iptables mode, then in eBPF (v3.31.2 lines). */
const rolledPod: CalicoNodePod = {
    name: "calico-node-7xk2p",
    node: "aks-system-12345678-vmss000000",
    createdAt: at("2026-11-23T10:01:10Z"),
    log: fixtureText("felix-log-new-pod-to-bpf.txt"),
};
const FIRST_RUN_END = "2026-11-23T10:02:40.118000513Z";
const firstRunOnly = (pod: CalicoNodePod): CalicoNodePod => ({
    ...pod,
    log: pod.log.slice(0, pod.log.indexOf(FIRST_RUN_END)),
});

describe("parseFelixLog", () => {
    it("keeps Felix's lines with the kubelet's timestamp and PID, and skips the other components", () => {
        const lines = parseFelixLog(rolledPod.log);
        assert.equal(lines.length, 18);
        assert.ok(lines.every((line) => line.pid === 71 || line.pid === 212));
        assert.equal(lines[0]?.at, at("2026-11-23T10:01:13.950Z"));
        assert.equal(lines[0].pid, 71);
        assert.match(lines[0].message, /^Successfully loaded configuration\. GOMAXPROCS=2 /);
    });

    it("reads a kubelet timestamp with a zone offset", () => {
        const [line] = parseFelixLog(
            "2026-11-23T11:02:42.611480005+01:00 2026-11-23 10:02:42.611 [INFO][212] felix/int_dataplane.go 928: BPF enabled, starting BPF endpoint manager and map manager.",
        );
        assert.equal(line?.at, at("2026-11-23T10:02:42.611Z"));
    });

    it("falls back to Calico's own timestamp, as UTC, without the kubelet's", () => {
        const [line] = parseFelixLog(
            "2026-11-23 10:02:42.611 [INFO][212] felix/int_dataplane.go 928: BPF enabled, starting BPF endpoint manager and map manager.",
        );
        assert.equal(line?.at, at("2026-11-23T10:02:42.611Z"));
        assert.equal(line.pid, 212);
    });
});

describe("felixRuns and runMode", () => {
    it("splits the log by PID: an iptables Felix, then the eBPF one the bpfEnabled change started", () => {
        const runs = felixRuns(parseFelixLog(rolledPod.log));
        assert.deepEqual(
            runs.map((run) => ({
                pid: run.pid,
                mode: runMode(run),
                ctlb: run.connectTimeLoadBalancing,
            })),
            [
                { pid: 71, mode: "iptables", ctlb: undefined },
                { pid: 212, mode: "bpf", ctlb: "TCP" },
            ],
        );
        assert.equal(runs[1]?.startedAt, at("2026-11-23T10:02:42.901Z"));
        assert.match(runs[0]?.ended?.reason ?? "", /exited for a config change \(rc=129\)/);
    });

    it("knows no mode until the first update after the driver loop, also when the eBPF line came first", () => {
        const log = rolledPod.log.split("\n");
        const lastRunUpTo = (text: string) => {
            const lines = log.slice(0, log.findIndex((l) => l.includes(text)) + 1);
            const run = felixRuns(parseFelixLog(lines.join("\n"))).at(-1);
            assert.ok(run !== undefined);
            return run;
        };
        assert.equal(runMode(lastRunUpTo("Using internal (linux) dataplane driver.")), undefined);
        assert.equal(runMode(lastRunUpTo("BPF enabled, starting")), undefined);
        assert.equal(runMode(lastRunUpTo("Connect time load balancer enabled")), undefined);
        // The driver loop starts before anything is programmed: not live yet.
        assert.equal(runMode(lastRunUpTo("dataplane driver loop")), undefined);
        assert.equal(runMode(lastRunUpTo("Completed first update")), "iptables");
    });

    it("does not count a first update logged before the driver loop", () => {
        const log = rolledPod.log.split("\n").filter((l) => !l.includes("driver loop"));
        const [first] = felixRuns(parseFelixLog(log.join("\n")));
        assert.equal(first?.firstUpdateAt, undefined);
    });

    it("starts a new run when a PID is reused by a new Felix (a second configuration load)", () => {
        const line = (time: string, message: string) =>
            `${time}Z ${time.replace("T", " ").slice(0, 23)} [INFO][80] felix/x.go 1: ${message}`;
        const runs = felixRuns(
            parseFelixLog(
                [
                    line("2026-11-23T10:00:01.000", "Successfully loaded configuration."),
                    line(
                        "2026-11-23T10:00:02.000",
                        "BPF enabled, starting BPF endpoint manager and map manager.",
                    ),
                    line("2026-11-23T10:00:09.000", "Successfully loaded configuration."),
                ].join("\n"),
            ),
        );
        assert.deepEqual(
            runs.map((run) => [run.pid, run.bpf]),
            [
                [80, true],
                [80, false],
            ],
        );
    });
});

describe("pendingFelixDataplane", () => {
    it("is satisfied by a pod whose latest Felix since the switch started eBPF", () => {
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [rolledPod]), []);
    });

    it("names the node whose Felix still runs the other dataplane", () => {
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [firstRunOnly(rolledPod)]), [
            "node aks-system-12345678-vmss000000 (pod calico-node-7xk2p): Felix (pid 71, " +
                "started 10:01:13Z) runs iptables (nftablesMode Disabled), want bpf",
        ]);
        assert.match(
            pendingFelixDataplane("iptables", SWITCH, [rolledPod])[0] ?? "",
            /Felix \(pid 212, started 10:02:42Z\) runs bpf \(nftablesMode Disabled\), want iptables/,
        );
    });

    it("names a run that ended, and does not take its first update for the next run's", () => {
        const ended = rolledPod.log.slice(0, rolledPod.log.indexOf("2026-11-23T10:02:42.901"));
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [{ ...rolledPod, log: ended }]), [
            "node aks-system-12345678-vmss000000 (pod calico-node-7xk2p): Felix (pid 71, " +
                "started 10:01:13Z) ended at 10:02:42Z: exited for a config change (rc=129)",
        ]);
    });

    it("waits for a new pod that has not logged a Felix start yet, quoting its last line", () => {
        const waiting = (log: string) =>
            pendingFelixDataplane("bpf", SWITCH, [{ ...rolledPod, log }]);
        assert.deepEqual(waiting(""), [
            "node aks-system-12345678-vmss000000 (pod calico-node-7xk2p): no Felix run logged since 10:00:00Z yet (its log is empty)",
        ]);
        // A Felix stuck before its configuration loads prints only ERROR and above; repeated, the
        // quote reads the same, so the wait's progress does not print it again.
        const stuck = (second: string) =>
            `2026-11-23T10:00:0${second}.000000000Z 2026-11-23 10:00:0${second}.000 [ERROR][58] felix/daemon.go 306: Failed to get config from datastore error=connection refused\n`;
        assert.deepEqual(waiting(stuck("3") + stuck("4")), waiting(stuck("4")));
        assert.match(
            waiting(stuck("4"))[0] ?? "",
            /yet \(its last line: \[ERROR\] Failed to get config from datastore error=connection refused\)$/,
        );
        // A line that is not Felix's (the container's own), quoted without the kubelet's time.
        assert.match(
            waiting("2026-11-23T10:00:04.000000000Z nsenter: cannot open /proc/1/ns/net\n")[0] ??
                "",
            /\(its last line: nsenter: cannot open \/proc\/1\/ns\/net\)$/,
        );
        const long = waiting(`2026-11-23T10:00:04Z ${"x".repeat(500)}`)[0] ?? "";
        assert.match(long, /\(its last line: x{199}…\)$/);
    });

    it("judges by the latest Felix since the switch, ignoring starts before it", () => {
        const between = at("2026-11-23T10:02:00Z");
        assert.match(
            pendingFelixDataplane("iptables", between, [rolledPod])[0] ?? "",
            /pid 212, started 10:02:42Z\) runs bpf \(nftablesMode Disabled\), want iptables/,
        );
        const afterBoth = at("2026-11-23T10:05:00Z");
        const fresh = { ...rolledPod, createdAt: afterBoth };
        assert.match(
            pendingFelixDataplane("bpf", afterBoth, [fresh])[0] ?? "",
            /no Felix run logged since 10:05:00Z/,
        );
    });

    it("accepts a pod older than the switch whose Felix never restarted", () => {
        const untouched = { ...rolledPod, createdAt: at("2026-11-22T08:00:00Z") };
        assert.deepEqual(
            pendingFelixDataplane("iptables", at("2026-11-23T10:05:00Z"), [untouched]),
            [],
        );
    });

    it("judges an old pod by its Felix that restarted after the switch", () => {
        const old = { ...rolledPod, createdAt: at("2026-11-22T08:00:00Z") };
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [old]), []);
        assert.equal(pendingFelixDataplane("iptables", SWITCH, [old]).length, 1);
    });

    it("reports every pod that has not reported, and an empty DaemonSet", () => {
        const second = {
            ...firstRunOnly(rolledPod),
            name: "calico-node-q8w4d",
            node: "aks-system-12345678-vmss000001",
        };
        const pending = pendingFelixDataplane("bpf", SWITCH, [rolledPod, second]);
        assert.equal(pending.length, 1);
        assert.match(pending[0] ?? "", /vmss000001/);
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, []), ["no calico-node pod found"]);
    });
});

describe("ctlbDetach", () => {
    const CTLB_CHANGE = at("2026-11-23T11:20:04Z");
    const bpfPod: CalicoNodePod = {
        name: "calico-node-7xk2p",
        node: "aks-system-12345678-vmss000000",
        createdAt: at("2026-11-23T10:01:10Z"),
        log: fixtureText("felix-log-ctlb-disabled.txt"),
    };

    it("is done once every Felix restarted in eBPF mode without attaching the connect-time load balancer", () => {
        assert.deepEqual(ctlbDetach(CTLB_CHANGE, [bpfPod]), { pending: [], warnings: [] });
    });

    it("waits for a Felix that has not restarted since the change", () => {
        const { pending } = ctlbDetach(at("2026-11-23T11:30:00Z"), [bpfPod]);
        assert.deepEqual(pending, [
            "node aks-system-12345678-vmss000000 (pod calico-node-7xk2p): Felix has not restarted since 11:30:00Z",
        ]);
    });

    it("waits while the restarted Felix still attaches it", () => {
        const { pending } = ctlbDetach(SWITCH, [rolledPod]);
        assert.match(
            pending[0] ?? "",
            /Felix \(pid 212\) attached the connect-time load balancer \(TCP\)/,
        );
    });

    it("reports a failed detach without waiting for it", () => {
        const warning =
            "2026-11-23T11:20:08.990000000Z 2026-11-23 11:20:08.990 [WARNING][530] " +
            "felix/int_dataplane.go 1034: Failed to detach connect-time load balancer. Ignoring. " +
            "error=no such file or directory";
        const lines = bpfPod.log.trimEnd().split("\n");
        const failed = {
            ...bpfPod,
            log: [...lines.slice(0, -1), warning, ...lines.slice(-1)].join("\n"),
        };
        const result = ctlbDetach(CTLB_CHANGE, [failed]);
        assert.deepEqual(result.pending, []);
        assert.match(result.warnings[0] ?? "", /Failed to detach connect-time load balancer/);
    });

    it("does not wait for a node whose Felix runs iptables", () => {
        assert.deepEqual(ctlbDetach(SWITCH, [firstRunOnly(rolledPod)]).pending, []);
    });
});

describe("calicoNodeRolledSince", () => {
    it("is true when a calico-node pod was created at or after the switch", () => {
        assert.equal(calicoNodeRolledSince(SWITCH, [rolledPod]), true);
        assert.equal(calicoNodeRolledSince(rolledPod.createdAt, [rolledPod]), true);
        assert.equal(calicoNodeRolledSince(rolledPod.createdAt + 1, [rolledPod]), false);
        assert.equal(calicoNodeRolledSince(SWITCH, []), false);
    });
});

/** Every prefix of a run's lines, as successive polls of its log would see them. */
const prefixes = (lines: readonly string[]): string[] =>
    lines.map((_, i) => lines.slice(0, i + 1).join("\n"));

const podWith = (log: string): CalicoNodePod => ({
    name: "calico-node-7xk2p",
    node: "aks-system-12345678-vmss000000",
    createdAt: SWITCH + 1000,
    log,
});

for (const version of FELIX_VERSIONS) {
    describe(`an eBPF Felix ${version}, polled line by line in int_dataplane.go's order`, () => {
        const start: FelixStart = { version, pid: 212, at: SWITCH + 5000, bpf: true };

        it("counts as live only once its first update followed its driver loop", () => {
            const lines = felixStartLines({ ...start, ctlb: "TCP" });
            const live = prefixes(lines).map(
                (log) => pendingFelixDataplane("bpf", SWITCH, [podWith(log)]).length === 0,
            );
            assert.deepEqual(live, [...lines.map(() => false).slice(1), true]);
            assert.match(lines.at(-2) ?? "", /dataplane driver loop/);
            assert.match(lines.at(-1) ?? "", /Completed first update to dataplane\./);
        });

        it("counts the connect-time load balancer as detached once its driver loop started", () => {
            const lines = felixStartLines({ ...start, ctlb: "detach" });
            const detached = prefixes(lines).map(
                (log) => ctlbDetach(SWITCH, [podWith(log)]).pending.length === 0,
            );
            // The removal comes before the loop (int_dataplane.go :1031-1035 @v3.31.2).
            assert.deepEqual(detached, [...lines.map(() => false).slice(2), true, true]);
        });

        it("never counts a run that attached it as detached, driver loop or not", () => {
            const lines = felixStartLines({ ...start, ctlb: "TCP" });
            for (const log of prefixes(lines)) {
                assert.notDeepEqual(ctlbDetach(SWITCH, [podWith(log)]).pending, []);
            }
        });
    });

    describe(`the nftables phase on operator 1.40+ (Felix ${version})`, () => {
        const nftablesRun = felixStartLines({
            version,
            pid: 150,
            at: SWITCH + 5000,
            bpf: false,
            nftablesMode: "Enabled",
        });

        it("tells nftables from iptables by the NFTablesMode the run parsed", () => {
            const [run] = felixRuns(parseFelixLog(nftablesRun.join("\n")));
            assert.ok(run !== undefined);
            assert.equal(run.nftablesMode, "Enabled");
            assert.equal(runMode(run), "nftables");
            const disabled = felixStartLines({
                version,
                pid: 151,
                at: SWITCH,
                bpf: false,
                nftablesMode: "Disabled",
            });
            assert.equal(
                runMode(felixRuns(parseFelixLog(disabled.join("\n")))[0] ?? run),
                "iptables",
            );
        });

        it("says so while the switch to eBPF waits, naming nftablesMode", () => {
            const [pending] = pendingFelixDataplane("bpf", SWITCH, [
                podWith(nftablesRun.join("\n")),
            ]);
            assert.match(pending ?? "", /runs nftables \(nftablesMode Enabled\), want bpf/);
            assert.match(pending ?? "", /nftables phase before eBPF/);
        });

        it("names the mode of an eBPF run beside nftablesMode Enabled as bpf", () => {
            const bpfRun = felixStartLines({
                version,
                pid: 212,
                at: SWITCH + 9000,
                bpf: true,
                nftablesMode: "Enabled",
            });
            const pod = podWith([...nftablesRun, ...bpfRun].join("\n"));
            assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [pod]), []);
            assert.match(
                pendingFelixDataplane("iptables", SWITCH, [pod])[0] ?? "",
                /runs bpf \(nftablesMode Enabled\)/,
            );
        });

        it("does not wait for an nftables Felix to detach the connect-time load balancer", () => {
            assert.deepEqual(ctlbDetach(SWITCH, [podWith(nftablesRun.join("\n"))]).pending, []);
        });
    });
}

describe("a log excerpt that starts in the middle of a run", () => {
    const midRun = rolledPod.log
        .split("\n")
        .filter((l) => !l.includes("[71] felix/daemon.go 354"))
        .join("\n");

    it("knows no start for the excerpt's first PID without its configuration line, and a start for the next PID", () => {
        const runs = felixRuns(parseFelixLog(midRun));
        assert.equal(runs[0]?.startedAt, undefined);
        assert.equal(runs[0]?.firstLineAt, at("2026-11-23T10:01:14.390Z"));
        assert.equal(runs[1]?.startedAt, at("2026-11-23T10:02:42.901Z"));
    });

    it("settles an old pod whose running Felix started before the excerpt, and counts one that restarted in it", () => {
        const old = { ...rolledPod, createdAt: at("2026-11-22T08:00:00Z") };
        const firstOnly = { ...old, log: firstRunOnly({ ...old, log: midRun }).log };
        // Whatever it runs, a Felix whose start the excerpt does not show did not restart since.
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [firstOnly]), []);
        assert.deepEqual(pendingFelixDataplane("bpf", SWITCH, [{ ...old, log: midRun }]), []);
        assert.equal(
            pendingFelixDataplane("iptables", SWITCH, [{ ...old, log: midRun }]).length,
            1,
        );
    });

    it("dates a run by its first line when early error lines precede its configuration line", () => {
        const early =
            "2026-11-23T10:01:13.700000000Z 2026-11-23 10:01:13.700 [ERROR][71] felix/daemon.go 263: Failed to create datastore client error=timeout";
        const [run] = felixRuns(parseFelixLog(`${early}\n${rolledPod.log}`));
        assert.equal(run?.startedAt, at("2026-11-23T10:01:13.700Z"));
    });
});

describe("what a run's log cannot show", () => {
    it("does not guess iptables for a non-eBPF run whose NFTablesMode is not in its log", () => {
        const withoutConfig = rolledPod.log.replace(/NFTablesMode:"Disabled", /g, "");
        const pod = { ...firstRunOnly({ ...rolledPod, log: withoutConfig }) };
        assert.equal(runMode(felixRuns(parseFelixLog(pod.log))[0] ?? ({} as never)), undefined);
        assert.match(
            pendingFelixDataplane("iptables", SWITCH, [pod])[0] ?? "",
            /runs a non-eBPF dataplane whose NFTablesMode its log does not show/,
        );
    });
});

describe("a Felix that panicked", () => {
    const panicLine =
        "2026-11-23T10:02:43.390731442Z 2026-11-23 10:02:43.390 [PANIC][212] felix/int_dataplane.go 1027: " +
        "BPFConnTimeLBEnabled but failed to attach connect-time load balancer, bailing out. " +
        "error=error loading /usr/lib/calico/bpf/connect_balancer_no_log_co-re_v46.o: invalid argument";
    const crashed = rolledPod.log.slice(0, rolledPod.log.indexOf("2026-11-23T10:02:43.390731442Z"));

    it("is not live, and the wait names Felix's panic and its error", () => {
        const [pending] = pendingFelixDataplane("bpf", SWITCH, [
            { ...rolledPod, log: `${crashed}${panicLine}\n` },
        ]);
        assert.match(
            pending ?? "",
            /pid 212, started 10:02:42Z\) ended at 10:02:43Z: panic: BPFConnTimeLBEnabled but failed to attach connect-time load balancer, bailing out\. error=.*connect_balancer_no_log_co-re_v46\.o: invalid argument$/,
        );
    });
});

describe("real Felix v3.31.2 output (test/fixtures/felix-v3.31.2, served with kubelet timestamps)", () => {
    const real = (file: string, node: string): CalicoNodePod => ({
        name: `calico-node-${node}`,
        node,
        createdAt: at("2026-12-06T11:00:00Z"),
        log: withKubeletTimestamps(fixtureText(`felix-v3.31.2/v3.31.2-${file}.log`)),
    });
    const BEFORE = at("2026-12-06T11:40:00Z");
    const iptables = real("iptables-start-and-config-restart", "node-a");
    const failedBpf = real("bpf-start", "node-b");
    const tcBpf = real("bpf-tc-attach-start", "node-c");
    const upToConfigChange = (pod: CalicoNodePod): CalicoNodePod => ({
        ...pod,
        log: pod.log
            .slice(0, pod.log.indexOf("Configuration value changed;"))
            .replace(/\n[^\n]*$/, "\n"),
    });

    it("an iptables start: one run from its first line, live in iptables from its first update", () => {
        const [run] = felixRuns(parseFelixLog(upToConfigChange(iptables).log));
        assert.equal(run?.pid, 20870);
        assert.equal(run.startedAt, at("2026-12-06T11:46:04.783Z"));
        assert.equal(run.firstUpdateAt, at("2026-12-06T11:46:05.085Z"));
        assert.equal(run.nftablesMode, "Disabled");
        assert.equal(runMode(run), "iptables");
        assert.deepEqual(
            pendingFelixDataplane("iptables", BEFORE, [upToConfigChange(iptables)]),
            [],
        );
    });

    it("the config-change restart (rc 129): the run has ended, and the wait says so", () => {
        const [run] = felixRuns(parseFelixLog(iptables.log));
        assert.deepEqual(run?.ended, {
            at: at("2026-12-06T11:46:48.001Z"),
            reason: "exited for a config change (rc=129)",
        });
        assert.match(
            pendingFelixDataplane("iptables", BEFORE, [iptables])[0] ?? "",
            /node-a .*Felix \(pid 20870, started 11:46:04Z\) ended at 11:46:48Z: exited for a config change \(rc=129\)/,
        );
    });

    it("an eBPF start whose programs failed to attach: not live, per node, with Felix's error", () => {
        const pod = upToConfigChange(failedBpf);
        const [run] = felixRuns(parseFelixLog(pod.log));
        assert.ok(run?.firstUpdateAt !== undefined, "Felix logged its first update all the same");
        assert.deepEqual(run.attachFailedOn, ["eth0", "lo"]);
        assert.deepEqual(pendingFelixDataplane("bpf", BEFORE, [pod, upToConfigChange(tcBpf)]), [
            "node node-b (pod calico-node-node-b): Felix (pid 24055, started 11:56:21Z) failed to " +
                "attach its eBPF programs to eth0, lo: error attaching tcx program bpfout.cali:egress:" +
                "object error loading /usr/lib/calico/bpf/tc_preamble.o: error loading program: " +
                "error loading object invalid argument",
        ]);
    });

    it("an eBPF start with tc attach: live in eBPF, without the connect-time load balancer", () => {
        const pod = upToConfigChange(tcBpf);
        const [run] = felixRuns(parseFelixLog(pod.log));
        assert.ok(run !== undefined);
        assert.equal(runMode(run), "bpf");
        assert.deepEqual(run.attachFailedOn, []);
        assert.equal(run.healthzAddress, ":10256");
        assert.deepEqual(pendingFelixDataplane("bpf", BEFORE, [pod]), []);
        assert.deepEqual(ctlbDetach(BEFORE, [pod]).pending, []);
        assert.match(
            pendingFelixDataplane("iptables", BEFORE, [pod])[0] ?? "",
            /runs bpf \(nftablesMode Disabled\), want iptables/,
        );
    });

    it("libbpf's and klog's own lines are not Felix's", () => {
        const lines = parseFelixLog(failedBpf.log);
        assert.ok(lines.every((line) => line.pid === 24055));
        assert.ok(!lines.some((line) => line.message.startsWith("libbpf")));
    });
});
