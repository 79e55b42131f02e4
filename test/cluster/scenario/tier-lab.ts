/**
 * One lab on the cluster tier for a describe block: the local cluster of an AKS line with the line's
 * real tigera/operator, its nodes with real Felix and Typha, the doubles of Azure's load balancer and
 * of yaobank's traffic, and a stack in `existing` mode run by the real
 * CLI (lab-run.ts). The scenario and the fault suite share it; `useTierLab` registers the block's
 * before and after hooks, and the after hook checks that the machine is as it was, failed runs too.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before } from "node:test";
import type { Dataplane } from "../../../core/dataplane";
import { startDoubles, type Doubles } from "../doubles/run";
import { startCluster, type LocalCluster } from "../harness/cluster";
import { FAKE_NODES } from "../harness/kwok";
import { processesMentioning, waitFor } from "../harness/processes";
import { liveDataplane } from "../nodes/dataplane-state";
import { hostChanges, hostState, type HostState } from "../nodes/host-state";
import { removeStaleCgroups } from "../nodes/namespaces";
import { startNodes, type TierNodes } from "../nodes/nodes";
import { whenBuilt } from "../toolchain/background";
import { requireClusterBinaries, requireFelix } from "../toolchain/build";
import { calicoSourceTree } from "../toolchain/felix";
import { EVIDENCE_ENV, keepFirstFailure } from "../evidence";
import { operatorOrderProblems } from "../operator/operator-order";
import { watchOperator, type OperatorTimeline } from "../operator/operator-timeline";
import { labRun, type LabRun, type ToolRun } from "./lab-run";
import type { OpResult } from "./pulumi-op";
import { operatorOf, type TierLine } from "../lines";

/** Deadline of every step in a normal flip. */
export const STEP_TIMEOUT_SECONDS = "240";

export const ok = (result: OpResult, what: string): OpResult => {
    assert.ok(result.ok, `${what} failed: ${result.error ?? ""}\n${result.stdout.slice(-3000)}`);
    return result;
};

/** Nothing but `same`: the engine reports no change at all. */
export const assertNoChanges = (result: OpResult, what: string) => {
    // Reads are not changes: the engine counts the CRD and namespace reads of every run as `read`.
    const changed = Object.entries(result.changes).filter(
        ([kind, n]) => kind !== "same" && kind !== "read" && n > 0,
    );
    assert.deepEqual(changed, [], `${what} changed something:\n${result.stdout.slice(-3000)}`);
};

/** How many of a calico-node's last log lines a failed test prints. */
const LOG_TAIL_LINES = 40;
/** How many of the harness's last lines (cluster:, nodes:) a failed test keeps as evidence. */
const HARNESS_TAIL_LINES = 60;

/** The last lines of every calico-node's log, by pod; one section naming why if unreadable. */
async function calicoNodeLogTails(
    cluster: LocalCluster,
): Promise<{ title: string; lines: string[] }[]> {
    try {
        const pods = await cluster.api.get<{ items: { metadata: { name: string } }[] }>(
            "/api/v1/namespaces/calico-system/pods?labelSelector=k8s-app%3Dcalico-node",
        );
        return pods.items.map(({ metadata: { name } }) => ({
            title: `calico-node log of ${name}, last lines`,
            lines: readFileSync(cluster.logPath("calico-system", name, "calico-node"), "utf8")
                .trimEnd()
                .split("\n")
                .slice(-LOG_TAIL_LINES),
        }));
    } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return [{ title: "no calico-node logs", lines: [why] }];
    }
}

/** This machine's processes running the switch's step tool, for `step` (e.g. `wait-dataplane`). */
export const stepProcesses = (step: string) =>
    processesMentioning(`tools/cluster-step/cluster-step.ts${step === "" ? "" : `\0${step}`}`);

/** The Pulumi CLI's processes running `op` (the Automation API starts `pulumi <op> ...`). */
export function cliProcesses(op: string): number[] {
    return processesMentioning(`\0${op}\0`).filter((pid) => {
        try {
            const [program = ""] = readFileSync(`/proc/${String(pid)}/cmdline`, "utf8").split("\0");
            return program.split("/").pop() === "pulumi";
        } catch {
            return false;
        }
    });
}

/**
 * A process's children: /proc/PID/task/TID/children of every thread (a Go program such as the CLI
 * starts its plugins from whichever thread runs the call).
 */
function childrenOf(pid: number): number[] {
    const tasks = `/proc/${String(pid)}/task`;
    try {
        return readdirSync(tasks).flatMap((task) =>
            readFileSync(`${tasks}/${task}/children`, "utf8")
                .trim()
                .split(/\s+/)
                .filter((child) => child !== "")
                .map(Number),
        );
    } catch {
        return [];
    }
}

/** Signals every running `pulumi up`; returns their children (the provider plugins). */
export function signalCli(signal: NodeJS.Signals): number[] {
    const clis = cliProcesses("up");
    assert.ok(clis.length > 0, "no pulumi up process");
    return clis.flatMap((pid) => {
        const children = childrenOf(pid);
        process.kill(pid, signal);
        return children;
    });
}

export const verified = (run: ToolRun) =>
    `exit ${String(run.code)}\n${run.stdout}\n${run.stderr.slice(-2000)}`;

export interface TierLab {
    readonly line: TierLine;
    /** The scratch folder of the stack (its project copy and state). */
    readonly scratch: string;
    readonly cluster: LocalCluster;
    readonly nodes: TierNodes;
    readonly lab: LabRun;
    /** Stack config for `dataplane`. */
    config(dataplane: Dataplane): Record<string, { value: string }>;
    /** `up` with the dataplane set; `since` is when it started. */
    flip(
        dataplane: Dataplane,
        timeoutSeconds?: string,
    ): Promise<{ readonly result: OpResult; readonly since: string }>;
    get(path: string): Promise<Record<string, unknown>>;
    /**
     * Every node's kernel shows `expected`, read inside its namespaces, and no Felix ever started
     * beside another on its node.
     */
    assertNodesRun(expected: Dataplane): void;
    /**
     * What the operator did since `since` holds to the docs' order (operator-order.ts): bpfEnabled
     * true only once calico-node passes the operator's rollout check, false at once; nftablesMode on 1.40; the endpoint
     * ConfigMap rolling Typha when the flip wrote it.
     */
    assertOperatorOrder(since: string, to: Dataplane, endpointWritten: boolean): void;
    /**
     * `npm run verify` by hand against the cluster, as the README's Verify section has a user type
     * it. What is real: the API server's Installation, FelixConfiguration, TigeraStatus and rollout
     * that verify reads, Felix's log lines (real Felix's output, served through pods/log), the HTTP
     * request to the load balancer's address, and the customer pods' log read through the API
     * server. What stands in: the page's answer (the yaobank traffic double answers in the customer
     * pod's place), and the source IP in the customer pod's access-log line, which the traffic
     * double decides from the dataplane the forwarding node's kernel runs.
     */
    verify(url: unknown, expect: Dataplane): Promise<ToolRun>;
    /**
     * A flip to `dataplane` whose `pulumi up` gets `signal` once the flip's wait runs (Felix held
     * still until then, so the wait cannot converge first): the up must fail and leave no step
     * process. Returns when it started, and the CLI's provider plugins (they outlive a SIGKILL).
     */
    interruptedFlip(
        dataplane: Dataplane,
        signal: NodeJS.Signals,
    ): Promise<{ readonly since: string; readonly providers: readonly number[] }>;
}

/** Registers the hooks that start the line's lab before the block's tests and stop it after them. */
export function useTierLab(line: TierLine): TierLab {
    let machine: HostState = {};
    let scratch = "";
    let cluster: LocalCluster | undefined;
    let nodes: TierNodes | undefined;
    let doubles: Doubles | undefined;
    let lab: LabRun | undefined;
    let timeline: OperatorTimeline | undefined;
    /** The harness's last lines, each also printed as it comes, with the time it came. */
    const harnessLines: string[] = [];
    const harnessLog = (text: string) => {
        process.stderr.write(`${text}\n`);
        harnessLines.push(`${new Date().toISOString().slice(11, 23)} ${text}`);
        harnessLines.splice(0, harnessLines.length - HARNESS_TAIL_LINES);
    };
    const started = <T>(value: T | undefined): T => {
        if (value === undefined) throw new Error("the tier's lab has not started");
        return value;
    };
    const config = (dataplane: Dataplane) => ({ "aks-calico-lab:dataplane": { value: dataplane } });
    const get = (path: string) => started(cluster).api.json<Record<string, unknown>>("GET", path);

    before(async () => {
        // What an earlier run killed outright (SIGKILL) left is not this run's doing.
        removeStaleCgroups();
        machine = hostState();
        const binDir = requireClusterBinaries();
        const felix = await whenBuilt(() => requireFelix(line.calico));
        scratch = mkdtempSync(join(tmpdir(), "lab-tier-"));
        cluster = await startCluster({
            keepScratch: process.env["LAB_TIER_KEEP"] === "1",
            crdSet: `aks-managed-calico-${line.calico}`,
            calicoTree: calicoSourceTree(line.calico),
            operator: "real",
            log: (l) => {
                harnessLog(`cluster: ${l}`);
            },
        });
        timeline = watchOperator(cluster.kubeconfigYaml);
        const running = await startNodes(cluster, {
            felix,
            log: (l) => {
                harnessLog(`nodes: ${l}`);
            },
        });
        nodes = running;
        doubles = startDoubles({
            kubeconfigYaml: cluster.kubeconfigYaml,
            logPath: cluster.logPath.bind(cluster),
            dataplaneOn: (node) => {
                const live = liveDataplane(running.dataplane(node));
                return live === "nftables" ? "iptables" : live;
            },
        });
        lab = labRun({ scratch, binDir, stack: "tier" });
        ok(
            await lab.op("preview", {
                "aks-calico-lab:cluster": { value: "existing" },
                "aks-calico-lab:existingKubeconfig": {
                    value: cluster.kubeconfigYaml,
                    secret: true,
                },
                ...config("iptables"),
            }),
            "the first preview",
        );
    });

    // A failed test's evidence from the nodes, which a flip that timed out does not print: each
    // calico-node's last log lines, as `kubectl logs --tail` shows them.
    // The first failure's, with the harness's last lines, is printed again at the run's end.
    afterEach(async (context) => {
        // TestContext.passed: in Node 22's node:test, not declared by @types/node 22.
        if ((context as { readonly passed?: boolean }).passed !== false) return;
        const tails = cluster === undefined ? [] : await calicoNodeLogTails(cluster);
        for (const { title, lines } of tails) {
            process.stderr.write(lines.map((l) => `${title}: ${l}\n`).join(""));
        }
        keepFirstFailure(
            `${line.calico}: ${context.name}`,
            [...tails, { title: "the harness's last lines", lines: harnessLines }],
            process.env[EVIDENCE_ENV],
        );
    });

    after(async () => {
        timeline?.stop();
        await doubles?.stop();
        await nodes?.stop();
        await cluster?.stop();
        if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
        // Failed runs too: nothing of the nodes is left on the machine.
        assert.deepEqual(hostChanges(machine, hostState()), [], "the machine changed");
    });

    return {
        line,
        get scratch() {
            return scratch;
        },
        get cluster() {
            return started(cluster);
        },
        get nodes() {
            return started(nodes);
        },
        get lab() {
            return started(lab);
        },
        config,
        async flip(dataplane, timeoutSeconds = STEP_TIMEOUT_SECONDS) {
            const since = new Date().toISOString();
            const result = await started(lab).op("up", config(dataplane), {
                LAB_STEP_TIMEOUT_SECONDS: timeoutSeconds,
            });
            return { result, since };
        },
        get,
        assertNodesRun(expected) {
            assert.deepEqual(started(nodes).felix.overlaps(), [], "two Felix at once on a node");
            for (const { name } of FAKE_NODES) {
                const state = started(nodes).dataplane(name);
                const seen = JSON.stringify(state);
                // iptables rules, or nftables under operator 1.40's nftablesMode Enabled.
                assert.ok(
                    state.caliRules > 0 || state.nftablesCalico,
                    `${name}: no Calico rules: ${seen}`,
                );
                if (expected === "bpf") {
                    assert.ok(state.tcPrograms > 0, `${name}: no tc program: ${seen}`);
                    assert.ok(state.cgroupPrograms > 0, `${name}: no ctlb: ${seen}`);
                } else {
                    assert.equal(state.tcPrograms, 0, `${name}: tc programs left: ${seen}`);
                    assert.equal(state.cgroupPrograms, 0, `${name}: ctlb left: ${seen}`);
                }
            }
        },
        assertOperatorOrder(since, to, endpointWritten) {
            const watched = started(timeline);
            const moments = watched.since(since);
            process.stderr.write(
                `operator ${operatorOf(line)} on Calico ${line.calico}, to ${to}:\n` +
                    moments.map((m) => `  ${m.at} ${m.what}\n`).join(""),
            );
            assert.deepEqual(
                operatorOrderProblems(
                    moments,
                    {
                        to,
                        nftablesUnderBpf: operatorOf(line).startsWith("1.40."),
                        endpointWritten,
                    },
                    watched.since(new Date(0).toISOString()),
                ),
                [],
                "the docs' operator order",
            );
        },
        async interruptedFlip(dataplane, signal) {
            const since = new Date().toISOString();
            started(nodes).felix.stall(true);
            try {
                const run = this.flip(dataplane);
                await waitFor(
                    "the flip's wait step",
                    () => Promise.resolve(stepProcesses("wait-dataplane").length > 0 || undefined),
                    240_000,
                );
                const providers = signalCli(signal);
                const { result } = await run;
                assert.equal(result.ok, false, `an up that got ${signal} must not report success`);
                // The step's process must not outlive its update: it would go on waiting, or
                // restart CoreDNS, after the user's update was gone.
                await waitFor(
                    `no step process left after ${signal}`,
                    () => Promise.resolve(stepProcesses("").length === 0 || undefined),
                    30_000,
                );
                return { since, providers };
            } finally {
                started(nodes).felix.stall(false);
            }
        },
        async verify(url, expect) {
            assert.equal(typeof url, "string", "the stack's yaobankUrl output");
            const run = await started(lab).verify([
                "--kubeconfig",
                started(cluster).kubeconfigPath,
                "--url",
                String(url),
                "--expect",
                expect,
                "--timeout-seconds",
                "60",
            ]);
            process.stderr.write(
                `verify --expect ${expect}: exit ${String(run.code)}\n${run.stdout}`,
            );
            return run;
        },
    };
}
