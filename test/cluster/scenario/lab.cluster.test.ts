/**
 * The lab on the real Pulumi engine and providers against a real kube-apiserver, in `existing`
 * mode, with the line's real tigera/operator, and real Felix and Typha (built from the line's
 * Calico tree) on the nodes, in each node's own namespaces. The steps share one cluster and
 * one stack per line and run in order. After each step the nodes' kernels are read: Calico's
 * iptables rules, its tc programs on eth0, the connect-time load balancer's cgroup programs. After
 * each line, the machine itself is checked to be as it was.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FIELD_MANAGER, switchOrder } from "../../../components/calico/calico-spec";
import type { Dataplane } from "../../../core/dataplane";
import { FAKE_NODES } from "../harness/kwok";
import { describeWrites, labWritesSince, type LabWrite } from "./audit-order";
import { calicoNodeLogs, flipTiming } from "./flip-timing";
import { LINES, operatorOf } from "../lines";
import { assertNoChanges, ok, useTierLab, verified } from "./tier-lab";
import { waitFor } from "../harness/processes";

/** Deadline of the flip that is meant not to finish. */
const STALLED_STEP_TIMEOUT_SECONDS = "40";

/** Every file under `dir`, as text. */
const filesUnder = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));

/**
 * The cluster's credential (its kubeconfig's client key) is nowhere in clear text: not in the
 * state (the steps keep the kubeconfig in their environment, a secret), not in what the CLI printed.
 */
const assertKubeconfigKeptSecret = (kubeconfigYaml: string, texts: readonly string[]) => {
    const key = /client-key-data: (\S+)/.exec(kubeconfigYaml)?.[1];
    assert.ok(key !== undefined && key.length > 100, "the kubeconfig carries a client key");
    for (const text of texts) assert.ok(!text.includes(key), "the client key in clear text");
};

/** The writes each switch step makes, in switchOrder's order: waits write nothing. */
const expectedWrites = (dataplane: Dataplane): LabWrite[] =>
    switchOrder(dataplane).filter((step) => step !== "wait" && step !== "waitCtlb");

for (const line of LINES) {
    describe(`the lab on the local cluster tier: Calico ${line.calico}, operator ${operatorOf(line)}`, () => {
        const tier = useTierLab(line);
        /** The flip's timing from the audit log and real Felix's lines, for the README. */
        const reportTiming = async (what: string, since: string) => {
            const timing = flipTiming(
                tier.cluster.audit(),
                since,
                FIELD_MANAGER,
                await calicoNodeLogs(tier.cluster),
            );
            assert.ok(
                timing !== undefined,
                `${what}: no Installation write or no Felix live after it`,
            );
            process.stderr.write(
                `timing ${line.calico} ${what}: Installation write to the last node's first dataplane ` +
                    `update ${timing.installationToLastNodeLive.toFixed(1)} s; that to the lab's next write ` +
                    `${timing.lastNodeLiveToNextWrite.toFixed(1)} s\n`,
            );
        };

        it("1. up on iptables succeeds; every node's Felix programs iptables", async () => {
            const { result } = await tier.flip("iptables");
            ok(result, "up on iptables");
            assert.equal(result.outputs["dataplane"], "iptables");
            tier.assertNodesRun("iptables");
        });

        if (!line.ebpf) {
            it("2. the flip to eBPF is refused before any write: kernel 6.12+ and a Calico without the ctlb fix", async () => {
                const { result, since } = await tier.flip("bpf");
                assert.equal(result.ok, false, "the flip must be refused");
                const error = result.error ?? "";
                for (const { name } of FAKE_NODES) assert.match(error, new RegExp(name));
                assert.match(error, new RegExp(release().replace(/\./g, "\\.")));
                assert.match(error, new RegExp(line.calico.slice(1)));
                assert.match(error, /bpfConnectTimeLoadBalancing/);
                const writes = labWritesSince(tier.cluster.audit(), since, FIELD_MANAGER);
                assert.deepEqual(writes, [], `the refused flip wrote: ${writes.join(", ")}`);
                tier.assertNodesRun("iptables");
            });
            return;
        }

        it("2. up again changes nothing; nor does refresh, then up", async () => {
            assertNoChanges(ok(await tier.lab.op("up"), "a second up"), "a second up");
            ok(await tier.lab.op("refresh"), "refresh");
            assertNoChanges(ok(await tier.lab.op("up"), "up after refresh"), "up after refresh");
        });

        it("3. to eBPF: the writes in the README's order, linuxDataplane owned by the lab, waits ended on Felix, yaobank rolled", async () => {
            const { result, since } = await tier.flip("bpf");
            process.stderr.write(`step 3 since ${since} audit ${tier.cluster.scratchDir}\n`);
            ok(result, "up to bpf");
            assert.equal(result.outputs["dataplane"], "bpf");
            const writes = labWritesSince(tier.cluster.audit(), since, FIELD_MANAGER);
            const switchWrites = writes.filter((w) => w !== "yaobank");
            assert.deepEqual(
                switchWrites,
                expectedWrites("bpf"),
                `writes: ${writes.join(", ")}\n${describeWrites(tier.cluster.audit(), since)}`,
            );
            assert.equal(writes.at(-1), "yaobank", "yaobank rolls after the switch");
            tier.assertNodesRun("bpf");
            tier.assertOperatorOrder(since, "bpf", writes.includes("endpoint"));
            await reportTiming("to eBPF", since);

            const installation = await tier.get(
                "/apis/operator.tigera.io/v1/installations/default",
            );
            // Spec owners only: a status entry (the operator's) also names linuxDataplane.
            const owners = JSON.stringify(
                (
                    installation["metadata"] as {
                        managedFields: {
                            manager: string;
                            subresource?: string;
                            fieldsV1: unknown;
                        }[];
                    }
                ).managedFields
                    .filter((entry) => entry.subresource === undefined)
                    .filter((entry) => JSON.stringify(entry.fieldsV1).includes("f:linuxDataplane"))
                    .map((entry) => entry.manager),
            );
            assert.equal(owners, JSON.stringify([FIELD_MANAGER]), "linuxDataplane's owner");

            assertKubeconfigKeptSecret(tier.cluster.kubeconfigYaml, [
                result.stdout,
                ...filesUnder(join(tier.scratch, "state")),
            ]);

            const steps = await tier.lab.stepOutputs();
            const wait = steps.find((s) => s.name === "calico-wait");
            assert.match(wait?.output ?? "", /converged/, "the wait's last words");
            assert.match(wait?.output ?? "", /BPF|eBPF/i, "the wait names the Felix evidence");

            const check = await tier.verify(result.outputs["yaobankUrl"], "bpf");
            assert.equal(check.code, 0, verified(check));
            assert.match(check.stdout, /^dataplane\s+expected bpf, live bpf\b/m, verified(check));
            assert.match(check.stdout, /^verdict\s+PASS: eBPF: /m, verified(check));
            if (operatorOf(line).startsWith("1.40.")) {
                // Felix 3.31 logs its kube-proxy health server's start (3.30.3 runs none), which verify reports.
                const started = check.stdout.match(
                    /^healthz\s+\S+: served by Felix; .* started its server on :\d+ /gm,
                );
                assert.equal(started?.length, FAKE_NODES.length, verified(check));
            }
        });

        it("4. up again: no changes", async () => {
            assertNoChanges(ok(await tier.lab.op("up"), "up after the flip"), "up after the flip");
        });

        it("5. back to iptables: the revert's writes in the README's order", async () => {
            const { result, since } = await tier.flip("iptables");
            ok(result, "up back to iptables");
            const writes = labWritesSince(tier.cluster.audit(), since, FIELD_MANAGER);
            assert.deepEqual(
                writes.filter((w) => w !== "yaobank"),
                expectedWrites("iptables"),
                `writes: ${writes.join(", ")}\n${describeWrites(tier.cluster.audit(), since)}`,
            );

            tier.assertNodesRun("iptables");
            tier.assertOperatorOrder(since, "iptables", false);
            await reportTiming("back to iptables", since);

            const url = result.outputs["yaobankUrl"];
            const check = await tier.verify(url, "iptables");
            assert.equal(check.code, 0, verified(check));
            assert.match(check.stdout, /^verdict\s+PASS: iptables: the app saw node IP /m);
            // Expecting the other dataplane is a failed verification (1), not one that could not run (2).
            const wrong = await tier.verify(url, "bpf");
            assert.equal(wrong.code, 1, verified(wrong));
            assert.match(wrong.stdout, /^verdict\s+FAIL: /m, verified(wrong));
        });

        it("6. a flip that cannot finish fails by its deadline, naming the nodes; flipping back recovers", async () => {
            tier.nodes.felix.stall(true);
            const started = Date.now();
            const { result } = await tier.flip("bpf", STALLED_STEP_TIMEOUT_SECONDS);
            const seconds = (Date.now() - started) / 1000;
            assert.equal(result.ok, false, "a stalled flip must fail");
            for (const { name: node } of FAKE_NODES)
                assert.match(result.error ?? "", new RegExp(node));
            assert.ok(seconds < 40 * 4 + 120, `failed after ${String(seconds)} s`);
            tier.nodes.felix.stall(false);
            const { result: back } = await tier.flip("iptables");
            ok(back, "flipping back after the stalled flip");
            assert.equal(back.outputs["dataplane"], "iptables");
            tier.assertNodesRun("iptables");
        });

        it("7. Ctrl-C during a flip's wait stops the step's process; the next up finishes the flip", async () => {
            // A user's Ctrl-C reaches the CLI once the wait is running (the engine then cancels its
            // providers: the command provider kills the step's process). Felix is held still until
            // then: 3.30.7's flip converges in about 4 s, and CI once failed this step that way.
            await tier.interruptedFlip("bpf", "SIGINT");
            const { result: again } = await tier.flip("bpf");
            ok(again, "the up after Ctrl-C");
            assert.equal(again.outputs["dataplane"], "bpf");
            tier.assertNodesRun("bpf");
            const { result: back } = await tier.flip("iptables");
            ok(back, "back to iptables before destroy");
        });

        it("8. destroy leaves what the README says: yaobank gone, the ConfigMap kept, Calico on iptables", async () => {
            ok(await tier.lab.op("destroy"), "destroy");
            // The lab's apply is relinquished; the operator then writes its default, Iptables, back
            // (tigera/operator pkg/controller/installation/core_controller.go fillDefaults @v1.38.6, @v1.40.2).
            await waitFor(
                "the operator's linuxDataplane Iptables after destroy",
                async () => {
                    const installation = await tier.get(
                        "/apis/operator.tigera.io/v1/installations/default",
                    );
                    const spec = installation["spec"] as {
                        calicoNetwork?: { linuxDataplane?: string };
                    };
                    return spec.calicoNetwork?.linuxDataplane === "Iptables" || undefined;
                },
                120_000,
            );
            await tier.get(
                "/api/v1/namespaces/tigera-operator/configmaps/kubernetes-services-endpoint",
            );
            const yaobank = await tier.cluster.api.json<{ items: unknown[] }>(
                "GET",
                "/apis/apps/v1/namespaces/yaobank/deployments",
            );
            assert.equal(yaobank.items.length, 0);
        });
    });
}
