import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    ctlbDetach,
    felixRuns,
    parseFelixLog,
    pendingFelixDataplane,
    runMode,
    type FelixRun,
} from "../../../core/felix-log";
import { fixtureText } from "../../support/fixtures";
import {
    criLogLines,
    felixContainer,
    felixParams,
    formatFelixLine,
    nextPid,
    restartedAt,
    restartingChanges,
    restartLines,
    servedLog,
    startLines,
    type CalicoLine,
    type FelixParams,
} from "./felix";

const T0 = Date.parse("2026-12-03T10:00:00.000Z");
const start = (line: CalicoLine, params: FelixParams) => ({ line, params, gomaxprocs: 2 });
const messages = (entries: readonly { message: string }[]) => entries.map((e) => e.message);

describe("formatFelixLine", () => {
    it("writes logutils' format: zone-less millisecond time, level, PID, felix/file line, sorted fields, the config unquoted", () => {
        const [first] = startLines(start("3.31", {}), Date.parse("2026-12-03T10:00:00.123Z"));
        assert.ok(first);
        const line = formatFelixLine(first, 62);
        assert.match(
            line,
            /^2026-12-03 10:00:00\.123 \[INFO\]\[62\] felix\/daemon\.go 354: Successfully loaded configuration\. GOMAXPROCS=2 builddate="2025-11-17T21:35:40\+0000" config=&config\.Config\{/,
        );
        assert.match(line, / NFTablesMode:"Disabled", /);
        assert.match(line, /[{ ]BPFEnabled:false, /);
        assert.match(
            line,
            /\} gitcommit="dd5575465ed825f86a3bc10f17bb5f7dc106d0f0" version="v3\.31\.2"$/,
        );
    });
});

/** The messages real Felix v3.31.2 printed, in order (test/fixtures/felix-v3.31.2/). */
const realMessages = (file: string): string[] =>
    parseFelixLog(fixtureText(`felix-v3.31.2/v3.31.2-${file}.log`)).map((line) => line.message);

describe("startLines", () => {
    it("prints only lines real Felix prints, in their order: its configuration first, its first update last", () => {
        for (const [file, params] of [
            ["iptables-start-and-config-restart", felixParams({}, {})],
            [
                "bpf-tc-attach-start",
                felixParams(
                    {},
                    {
                        bpfEnabled: true,
                        bpfConnectTimeLoadBalancing: "Disabled",
                        bpfKubeProxyIptablesCleanupEnabled: false,
                    },
                ),
            ],
        ] as const) {
            const real = realMessages(file);
            const double = messages(startLines(start("3.31", params), T0));
            const positions = double.map((message) => real.findIndex((r) => r.startsWith(message)));
            assert.ok(!positions.includes(-1), `${file}: ${double[positions.indexOf(-1)] ?? ""}`);
            // The main goroutine's lines keep their order (the rest come from other goroutines).
            const main = [
                "Successfully loaded configuration.",
                "Using internal (linux) dataplane driver.",
                "BPF enabled, starting BPF endpoint manager and map manager.",
                "Started internal iptables dataplane driver loop",
                "Completed first update to dataplane.",
            ].filter((message) => double.includes(message));
            const at = main.map((message) => real.findIndex((r) => r.startsWith(message)));
            assert.deepEqual(
                at,
                [...at].sort((a, b) => a - b),
                `${file}: ${main.join(" | ")}`,
            );
            assert.equal(double[0], "Successfully loaded configuration.");
            assert.equal(double.at(-1), "Completed first update to dataplane.");
            const loop = double.indexOf("Started internal iptables dataplane driver loop");
            assert.ok(loop > 0 && loop < double.length - 1);
            assert.ok(!double.some((m) => m.startsWith("Felix starting up")));
        }
    });

    it("iptables: no BPF line, the driver loop after the dataplane driver", () => {
        const lines = messages(startLines(start("3.30", felixParams({}, {})), T0));
        assert.equal(lines[0], "Successfully loaded configuration.");
        assert.ok(!lines.some((m) => m.startsWith("BPF enabled")));
        assert.ok(
            lines.indexOf("Started internal iptables dataplane driver loop") >
                lines.indexOf("Using internal (linux) dataplane driver."),
        );
    });

    it("eBPF: BPF start, then the connect-time load balancer (TCP by default), then the driver loop", () => {
        const lines = messages(
            startLines(start("3.31", felixParams({}, { bpfEnabled: true })), T0),
        );
        const bpf = lines.indexOf("BPF enabled, starting BPF endpoint manager and map manager.");
        const ctlb = lines.indexOf("Connect time load balancer enabled: TCP");
        const loop = lines.indexOf("Started internal iptables dataplane driver loop");
        assert.ok(bpf > 0 && bpf < ctlb && ctlb < loop, lines.join(" | "));
        assert.ok(
            lines.includes(
                "BPF enabled, configuring iptables/nftables layer to clean up kube-proxy's rules.",
            ),
        );
    });

    it("eBPF with the connect-time load balancer Disabled and kube-proxy cleanup off logs neither", () => {
        const params = felixParams(
            {},
            {
                bpfEnabled: true,
                bpfConnectTimeLoadBalancing: "Disabled",
                bpfKubeProxyIptablesCleanupEnabled: false,
            },
        );
        const lines = messages(startLines(start("3.30", params), T0));
        assert.ok(lines.includes("BPF enabled, starting BPF endpoint manager and map manager."));
        assert.ok(!lines.some((m) => m.startsWith("Connect time load balancer")));
        assert.ok(!lines.some((m) => m.includes("clean up kube-proxy")));
    });

    it("eBPF on 3.31: starts kube-proxy's health server on BPFKubeProxyHealthzPort, after the BPF start; 3.30.3 has none", () => {
        const healthz = (line: CalicoLine, params: FelixParams) =>
            startLines(start(line, params), T0).filter((e) =>
                e.message.startsWith("Starting BPF Proxy Healthz server"),
            );
        const bpf = felixParams({}, { bpfEnabled: true, bpfKubeProxyHealthzPort: 10258 });
        const [entry] = healthz("3.31", bpf);
        assert.equal(entry?.message, "Starting BPF Proxy Healthz server on :10258");
        assert.deepEqual(entry.source, { file: "int_dataplane.go", line: 2841 });
        assert.equal(
            healthz("3.31", felixParams({}, { bpfEnabled: true }))[0]?.message,
            "Starting BPF Proxy Healthz server on :10256",
        );
        assert.deepEqual(healthz("3.30", bpf), []);
        assert.deepEqual(healthz("3.31", felixParams({}, { bpfKubeProxyHealthzPort: 10258 })), []);
        const lines = messages(startLines(start("3.31", bpf), T0));
        assert.ok(
            lines.indexOf("Starting BPF Proxy Healthz server on :10258") >
                lines.indexOf("BPF enabled, starting BPF endpoint manager and map manager."),
        );
    });

    it("cites each tag's own line numbers", () => {
        const bpfLine = (line: CalicoLine) =>
            startLines(start(line, { BPFEnabled: "true" }), T0).find((e) =>
                e.message.startsWith("BPF enabled, starting"),
            )?.source.line;
        assert.equal(bpfLine("3.30"), 857);
        assert.equal(bpfLine("3.31"), 928);
    });
});

describe("felixParams", () => {
    it("an environment variable beats FelixConfiguration", () => {
        const params = felixParams({ FELIX_BPFENABLED: "true" }, { bpfEnabled: false });
        assert.equal(params.BPFEnabled, "true");
    });
});

describe("restartingChanges", () => {
    const before = felixParams({}, { bpfEnabled: false, nftablesMode: "Disabled" });
    it("a change of bpfEnabled or nftablesMode needs a restart", () => {
        const after = felixParams({}, { bpfEnabled: true, nftablesMode: "Enabled" });
        assert.deepEqual(restartingChanges(before, after), ["BPFEnabled", "NFTablesMode"]);
    });
    it("the same values, a default made explicit, or a live-handled field need none", () => {
        assert.deepEqual(restartingChanges(before, { ...before }), []);
        assert.deepEqual(restartingChanges({}, felixParams({}, { bpfEnabled: false })), []);
        assert.deepEqual(
            restartingChanges(before, { ...before, HealthTimeoutOverrides: "[]" }),
            [],
        );
    });
    it("Felix compares parsed values: Tunnel is its default tunnel, an explicit false wireguard is none", () => {
        const lab = felixParams({}, { bpfExternalServiceMode: "Tunnel", wireguardEnabled: false });
        assert.deepEqual(restartingChanges({}, lab), []);
        const dsr = felixParams({}, { bpfExternalServiceMode: "DSR" });
        assert.deepEqual(restartingChanges(lab, dsr), ["BPFExternalServiceMode"]);
    });
    it("a value an environment variable pins does not change under FelixConfiguration", () => {
        const env = { FELIX_BPFENABLED: "false" };
        assert.deepEqual(
            restartingChanges(felixParams(env, {}), felixParams(env, { bpfEnabled: true })),
            [],
        );
    });
});

describe("restartLines", () => {
    it("logs the change, shuts down, and exits with 129 two seconds after the sleep notice", () => {
        const lines = restartLines("3.30", { BPFEnabled: "false" }, { BPFEnabled: "true" }, T0);
        assert.deepEqual(messages(lines), [
            "Configuration value changed; change DOES require Felix to restart.",
            "Felix is shutting down",
            "Sleeping to avoid tight restart loop.",
            "Exiting for config change",
        ]);
        const [, , sleeping, exiting] = lines;
        assert.equal((exiting?.at ?? 0) - (sleeping?.at ?? 0), 2000);
        assert.equal(exiting?.fields?.rc, 129);
        assert.equal(lines[1]?.level, "WARNING");
    });
    it("logs nothing when no restarting setting changed", () => {
        assert.deepEqual(restartLines("3.31", { A: "1" }, { A: "1" }, T0), []);
    });
});

describe("the lab's parser (core/felix-log.ts) reads the double's log as kubectl logs --timestamps serves it", () => {
    for (const line of ["3.30", "3.31"] as const) {
        it(`Calico ${line}: a pod that started on iptables and restarted into eBPF`, () => {
            const iptables = felixParams({}, { bpfEnabled: false });
            const bpf = felixParams({}, { bpfEnabled: true });
            const first = startLines(start(line, iptables), T0 + 1000);
            const restart = restartLines(line, iptables, bpf, T0 + 60_000);
            const second = startLines(start(line, bpf), restartedAt(restart));
            const pid1 = nextPid(undefined);
            const pid2 = nextPid(pid1);
            const file =
                criLogLines(first, pid1) + criLogLines(restart, pid1) + criLogLines(second, pid2);
            const served = servedLog(file, { timestamps: true });
            const runs = felixRuns(parseFelixLog(served));
            assert.equal(runs.length, 2);
            const [iptablesRun, bpfRun] = runs as [FelixRun, FelixRun];
            assert.equal(iptablesRun.pid, pid1);
            assert.equal(runMode(iptablesRun), "iptables");
            assert.equal(bpfRun.pid, pid2);
            assert.equal(runMode(bpfRun), "bpf");
            assert.equal(bpfRun.connectTimeLoadBalancing, "TCP");
            // verify's healthz check reads this address (3.30.3 starts no health server).
            assert.equal(bpfRun.healthzAddress, line === "3.31" ? ":10256" : undefined);
            assert.equal(bpfRun.startedAt, restartedAt(restart));
            const pod = { name: "calico-node-a", node: "node-a", createdAt: T0, log: served };
            assert.deepEqual(pendingFelixDataplane("bpf", T0 + 30_000, [pod]), []);
            assert.equal(pendingFelixDataplane("iptables", T0 + 30_000, [pod]).length, 1);
        });

        it(`Calico ${line}: an eBPF Felix without the connect-time load balancer counts as detached`, () => {
            const params = felixParams(
                {},
                { bpfEnabled: true, bpfConnectTimeLoadBalancing: "Disabled" },
            );
            const file = criLogLines(startLines(start(line, params), T0 + 5000), 90);
            const pod = {
                name: "calico-node-b",
                node: "node-b",
                createdAt: T0 - 60_000,
                log: servedLog(file, { timestamps: true }),
            };
            assert.deepEqual(ctlbDetach(T0, [pod]), { pending: [], warnings: [] });
        });
    }

    it("the served log without timestamps still parses, on Calico's own clock", () => {
        const file = criLogLines(startLines(start("3.31", {}), T0), 62);
        const lines = parseFelixLog(servedLog(file, { timestamps: false }));
        assert.equal(lines[0]?.at, T0);
        assert.equal(
            servedLog(file, { timestamps: true, since: T0 + 1 })
                .split("\n")[0]
                ?.includes("Successfully loaded configuration."),
            false,
        );
    });
});

describe("felixContainer (pod watch events)", () => {
    const pod = (restartCount: number, running = true, extra: Record<string, unknown> = {}) => ({
        metadata: { uid: "u1", namespace: "calico-system", name: "calico-node-x", ...extra },
        spec: {
            nodeName: "aks-nodepool1-0",
            containers: [
                {
                    name: "calico-node",
                    env: [
                        { name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" },
                        {
                            name: "NODENAME",
                            valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
                        },
                    ],
                },
            ],
        },
        status: {
            containerStatuses: [
                {
                    name: "calico-node",
                    restartCount,
                    state: running
                        ? { running: { startedAt: "2026-12-03T10:00:00Z" } }
                        : { waiting: {} },
                },
            ],
        },
    });

    it("a running container: its node, plain env and start time", () => {
        const container = felixContainer("ADDED", pod(0));
        assert.ok(container?.kind === "running");
        assert.deepEqual(container.env, { KUBERNETES_SERVICE_HOST: "127.0.0.1" });
        assert.equal(container.startedAt, T0);
        assert.equal(container.node, "aks-nodepool1-0");
    });

    it("a container restart is a new container; not running yet is nothing; deletion is gone", () => {
        const first = felixContainer("MODIFIED", pod(0));
        const restarted = felixContainer("MODIFIED", pod(1));
        assert.ok(first?.kind === "running" && restarted?.kind === "running");
        assert.notEqual(first.key, restarted.key);
        assert.equal(felixContainer("ADDED", pod(0, false)), undefined);
        assert.deepEqual(felixContainer("DELETED", pod(0)), { kind: "gone", uid: "u1" });
        assert.equal(
            felixContainer("MODIFIED", pod(0, true, { deletionTimestamp: "2026-12-03T10:01:00Z" }))
                ?.kind,
            "gone",
        );
    });
});
