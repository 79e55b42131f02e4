/**
 * The real tigera/operator of each AKS line (test/cluster/toolchain/operator-build.ts) on a cluster
 * laid down as AKS does (`startCluster({ operator: "real" })`), with kwok's pods and no Felix,
 * against the lab's writes for a flip to eBPF and back: the docs' claims about the operator's order
 * (docs/flipping.md) checked with the operator's timeline (operator-timeline.ts, operator-order.ts).
 *
 * The scenario (../scenario) checks the same order with the lab's own program and real Felix and
 * Typha on 3.30.7 and 3.31.7. This test covers what it cannot: 3.31.2, AKS's default build, whose
 * eBPF the lab refuses on this machine's kernel, so its flip never runs there. It makes the lab's writes
 * through the API server itself: the bodies of components/calico/calico-spec.ts, with the lab's
 * field manager, forced, in its `switchOrder`; in place of the lab's wait it waits for the
 * operator's end of it (FelixConfiguration's bpfEnabled and calico-node rolled out).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
    connectTimeLoadBalancingSpec,
    ENDPOINT_CONFIGMAP_NAME,
    endpointConfigMapData,
    felixConfigurationSpec,
    FIELD_MANAGER,
    installationSpec,
    LINUX_DATAPLANE_PATH,
    switchOrder,
} from "../../../components/calico/calico-spec";
import type { ApiServer } from "../../../core/api-server";
import { kubeProxyHealthzPortFieldOf } from "../../../core/calico-objects";
import type { Dataplane } from "../../../core/dataplane";
import { fieldHolders, heldOnlyByLab } from "../../../core/managed-fields";
import { field } from "../../../core/unstructured";
import { startCluster, type LocalCluster } from "../harness/cluster";
import { objectPath, type KubeApi, type KubeObject } from "../harness/kube-api";
import { waitFor } from "../harness/processes";
import { operatorFor } from "../toolchain/operator-build";
import { operatorOrderProblems } from "./operator-order";
import { watchOperator, type OperatorTimeline } from "./operator-timeline";

/** The line the scenario cannot flip: 3.31.2, with 1.40.2 as AKS ships it. */
const LINES = ["v3.31.2"] as const;

/**
 * The connect-time load balancer patch's manager: the provider's own per-resource name, kept in
 * state (calico-spec.ts CTLB_PATCH_ANNOTATIONS); any name but the lab's does here.
 */
const CTLB_MANAGER = "pulumi-kubernetes-felix-ctlb";

/** The operator's rolls of two kwok nodes, and its 30 s requeues, end well inside this. */
const OPERATOR_TIMEOUT_MS = 120_000;

const CALICO_NODE = "/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node";
const TYPHA = "/apis/apps/v1/namespaces/calico-system/deployments/calico-typha";
const KUBE_CONTROLLERS =
    "/apis/apps/v1/namespaces/calico-system/deployments/calico-kube-controllers";
const INSTALLATION = "/apis/operator.tigera.io/v1/installations/default";
const FELIX_CONFIGURATION = "/apis/crd.projectcalico.org/v1/felixconfigurations/default";

const felixConfiguration = (spec: object | undefined): KubeObject => ({
    apiVersion: "crd.projectcalico.org/v1",
    kind: "FelixConfiguration",
    metadata: { name: "default" },
    ...(spec === undefined ? {} : { spec }),
});
const installation = (spec: object | undefined): KubeObject => ({
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    metadata: { name: "default" },
    ...(spec === undefined ? {} : { spec }),
});

/** A Patch resource's write: server-side apply with its field manager, forced (calico-spec.ts PATCH_ANNOTATIONS). */
async function labApply(api: KubeApi, object: KubeObject, manager: string): Promise<void> {
    await api.json(
        "PATCH",
        `${objectPath(object)}?fieldManager=${manager}&force=true`,
        object,
        "application/apply-patch+yaml",
    );
}

/** The env value a workload's first container gets for `name` ("" when it has none). */
async function containerEnv(api: KubeApi, path: string, name: string): Promise<string> {
    const env = field(await api.get(path), "spec", "template", "spec", "containers", "0", "env");
    const entry: unknown = Array.isArray(env)
        ? (env as unknown[]).find((e) => field(e, "name") === name)
        : undefined;
    const value = field(entry, "value");
    return typeof value === "string" ? value : "";
}

/** The operator's end of the lab's wait: bpfEnabled as asked, calico-node's last generation rolled out. */
async function operatorDone(api: KubeApi, to: Dataplane): Promise<true | undefined> {
    const bpfEnabled = field(await api.get(FELIX_CONFIGURATION), "spec", "bpfEnabled");
    const ds = await api.get(CALICO_NODE);
    const status = (key: string) => field(ds, "status", key);
    const rolledOut =
        status("observedGeneration") === field(ds, "metadata", "generation") &&
        status("updatedNumberScheduled") === status("desiredNumberScheduled") &&
        status("numberAvailable") === status("desiredNumberScheduled");
    return bpfEnabled === (to === "bpf") && rolledOut ? true : undefined;
}

for (const calico of LINES) {
    const { operator } = operatorFor(calico);
    const nftablesUnderBpf = operator.startsWith("1.40.");

    describe(
        `real tigera/operator ${operator} on Calico ${calico}: the lab's flip`,
        { timeout: 240_000 },
        () => {
            let started: LocalCluster | undefined;
            let timeline: OperatorTimeline | undefined;
            const cluster = (): LocalCluster => {
                assert.ok(started, "the cluster started");
                return started;
            };
            const api = (): KubeApi => cluster().api;
            /** Where calico-node is to reach the API server: the tier's own (any address does, the operator only copies it). */
            const apiServer = (): ApiServer => {
                const url = new URL(cluster().server);
                return { host: url.hostname, port: Number(url.port) };
            };

            /** The lab's writes towards `to`, in its order; returns the moment before the first. */
            const labFlip = async (to: Dataplane): Promise<string> => {
                const since = new Date().toISOString();
                const healthz = kubeProxyHealthzPortFieldOf(calico);
                const settings = { bpfExternalServiceMode: "Tunnel", wireguard: false } as const;
                for (const step of switchOrder(to)) {
                    switch (step) {
                        case "endpoint":
                            await labApply(
                                api(),
                                {
                                    apiVersion: "v1",
                                    kind: "ConfigMap",
                                    metadata: {
                                        name: ENDPOINT_CONFIGMAP_NAME,
                                        namespace: "tigera-operator",
                                    },
                                    data: endpointConfigMapData(apiServer()),
                                },
                                FIELD_MANAGER,
                            );
                            break;
                        case "ctlb":
                            await labApply(
                                api(),
                                felixConfiguration(connectTimeLoadBalancingSpec(to)),
                                CTLB_MANAGER,
                            );
                            break;
                        case "felix":
                            await labApply(
                                api(),
                                felixConfiguration(
                                    felixConfigurationSpec(
                                        to,
                                        settings,
                                        healthz === "none" ? undefined : healthz,
                                    ),
                                ),
                                FIELD_MANAGER,
                            );
                            break;
                        case "installation":
                            await labApply(
                                api(),
                                installation(installationSpec(to)),
                                FIELD_MANAGER,
                            );
                            break;
                        case "wait": {
                            await waitFor(
                                `the operator's flip to ${to}`,
                                () => operatorDone(api(), to),
                                OPERATOR_TIMEOUT_MS,
                                cluster().operator?.process,
                            );
                            // The timeline's watch may deliver the write the GET above saw a moment
                            // later: the order is judged once the timeline has it too.
                            const written = `bpfEnabled ${String(to === "bpf")}`;
                            await waitFor(
                                `the timeline's ${written}`,
                                () =>
                                    Promise.resolve(
                                        (timeline?.since(since) ?? []).some(
                                            (moment) => moment.what === written,
                                        )
                                            ? true
                                            : undefined,
                                    ),
                                10_000,
                            );
                            break;
                        }
                        // Felix's detaching the connect-time load balancer, and CoreDNS's restart: not the operator's.
                        case "waitCtlb":
                        case "restartDns":
                            break;
                    }
                }
                return since;
            };
            const assertOrder = (since: string, to: Dataplane, endpointWritten: boolean) => {
                const moments = timeline?.since(since) ?? [];
                process.stderr.write(
                    `operator ${operator} on Calico ${calico}, to ${to}:\n` +
                        moments.map((m) => `  ${m.at} ${m.what}\n`).join(""),
                );
                assert.deepEqual(
                    operatorOrderProblems(
                        moments,
                        { to, nftablesUnderBpf, endpointWritten },
                        timeline?.since(new Date(0).toISOString()),
                    ),
                    [],
                    "the docs' operator order",
                );
                return moments;
            };

            before(async () => {
                started = await startCluster({
                    crdSet: `aks-managed-calico-${calico}`,
                    operator: "real",
                    log: (line) => process.stderr.write(`operator test: ${line}\n`),
                });
                const watching = watchOperator(cluster().kubeconfigYaml);
                timeline = watching;
                // Its watches' first events are the settled state, not the flip's: seen before any write.
                const seen = (what: string) =>
                    watching.since(new Date(0).toISOString()).some((m) => m.what.startsWith(what));
                await waitFor(
                    "the operator's timeline watching",
                    () =>
                        Promise.resolve(
                            [
                                "bpfEnabled",
                                "calico-node rolled out",
                                "calico-typha rolled out",
                                "TigeraStatus",
                            ].every(seen)
                                ? true
                                : undefined,
                        ),
                    30_000,
                );
            });

            after(async () => {
                timeline?.stop();
                await started?.stop();
            });

            it("settles AKS's Installation: its defaults and status, FelixConfiguration, Typha and kube-controllers", async () => {
                const settled = await api().get(INSTALLATION);
                assert.equal(field(settled, "spec", "calicoNetwork", "linuxDataplane"), "Iptables");
                assert.equal(field(settled, "status", "calicoVersion"), calico);
                assert.equal(field(settled, "status", "variant"), "Calico");
                assert.equal(
                    field(await api().get(FELIX_CONFIGURATION), "spec", "bpfEnabled"),
                    false,
                );
                for (const path of [TYPHA, KUBE_CONTROLLERS]) {
                    assert.equal(
                        field(await api().get(path), "status", "availableReplicas"),
                        1,
                        path,
                    );
                }
                assert.ok(cluster().operator?.process.isRunning(), "the operator runs on");
            });

            it(`to eBPF: the ConfigMap rolls Typha and calico-node; ${nftablesUnderBpf ? "nftablesMode Enabled before" : "no nftablesMode Enabled, and"} bpfEnabled true only once calico-node passes the operator's rollout check`, async () => {
                const generation = field(await api().get(CALICO_NODE), "metadata", "generation");
                const since = await labFlip("bpf");
                const moments = assertOrder(since, "bpf", true);
                const { host } = apiServer();
                for (const path of [CALICO_NODE, TYPHA, KUBE_CONTROLLERS]) {
                    assert.equal(
                        await containerEnv(api(), path, "KUBERNETES_SERVICE_HOST"),
                        host,
                        path,
                    );
                }
                assert.ok(
                    moments.some(
                        (m) =>
                            m.what === `calico-node generation ${String(Number(generation) + 1)}`,
                    ),
                    "calico-node rolled",
                );
                const switched = await api().get(INSTALLATION);
                assert.equal(field(switched, "spec", "calicoNetwork", "linuxDataplane"), "BPF");
                assert.ok(
                    fieldHolders(field(switched, "metadata"), LINUX_DATAPLANE_PATH).includes(
                        `${FIELD_MANAGER} (Apply)`,
                    ),
                );
            });

            it("back to iptables: bpfEnabled false at once, before calico-node rolls out", async () => {
                const since = await labFlip("iptables");
                assertOrder(since, "iptables", false);
            });

            it("the lab relinquishing its patches (destroy): the operator writes its default, Iptables, back", async () => {
                // Only the lab holds it, so giving it up removes it (core/managed-fields.ts heldOnlyByLab).
                const held = field(await api().get(INSTALLATION), "metadata");
                assert.ok(
                    heldOnlyByLab(held, LINUX_DATAPLANE_PATH),
                    fieldHolders(held, LINUX_DATAPLANE_PATH).join(", "),
                );
                await labApply(api(), felixConfiguration(undefined), FIELD_MANAGER);
                await labApply(api(), felixConfiguration(undefined), CTLB_MANAGER);
                await labApply(api(), installation(undefined), FIELD_MANAGER);
                // tigera/operator pkg/controller/installation/core_controller.go fillDefaults @v1.38.6, @v1.40.2.
                const metadata = await waitFor(
                    "the operator's linuxDataplane Iptables",
                    async () => {
                        const got = await api().get(INSTALLATION);
                        return field(got, "spec", "calicoNetwork", "linuxDataplane") === "Iptables"
                            ? field(got, "metadata")
                            : undefined;
                    },
                    OPERATOR_TIMEOUT_MS,
                    cluster().operator?.process,
                );
                const holders = fieldHolders(metadata, LINUX_DATAPLANE_PATH);
                assert.ok(!holders.includes(`${FIELD_MANAGER} (Apply)`), holders.join(", "));
                assert.ok(holders.length > 0, "the operator holds what it wrote back");
            });
        },
    );
}
