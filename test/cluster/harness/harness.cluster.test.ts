/**
 * The cluster tier's harness on its own: it starts the real control plane, lays down AKS-managed
 * Calico, serves pod logs through the API server, audits writes, and leaves nothing running.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { after, before, describe, it } from "node:test";
import { LOGS_HEARTBEAT_MS, startCluster, type LocalCluster } from "./cluster";
import { FAKE_NODES } from "./kwok";
import { processesMentioning, waitFor } from "./processes";

/** The AKS default line (1.36 ships Calico 3.31.2, ../shared/crds/PROVENANCE.md); another with LAB_CLUSTER_CRD_SET. */
const CRD_SET = process.env["LAB_CLUSTER_CRD_SET"] ?? "aks-managed-calico-v3.31.2";

interface Conditioned {
    status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
}
interface PodList {
    items: {
        metadata: { name: string };
        spec: { nodeName?: string };
        status: { phase?: string; hostIP?: string };
    }[];
}

describe(`local cluster harness (${CRD_SET})`, { timeout: 300_000 }, () => {
    let started: LocalCluster | undefined;
    const cluster = (): LocalCluster => {
        assert.ok(started, "the cluster started");
        return started;
    };

    before(async () => {
        started = await startCluster({
            crdSet: CRD_SET,
            log: (line) => process.stderr.write(`harness: ${line}\n`),
        });
    });

    after(async () => {
        await started?.stop();
    });

    it("lays down AKS-managed Calico: Installation with the operator's status, FelixConfiguration, TigeraStatus", async () => {
        const installation = await cluster().api.get<{
            metadata: { generation: number };
            spec: { kubernetesProvider: string; calicoNetwork: { linuxDataplane: string } };
            status: {
                calicoVersion: string;
                variant: string;
                computed: { calicoNetwork: { linuxDataplane: string } };
            };
        }>("/apis/operator.tigera.io/v1/installations/default");
        assert.equal(installation.spec.kubernetesProvider, "AKS");
        assert.equal(installation.spec.calicoNetwork.linuxDataplane, "Iptables");
        assert.equal(installation.status.calicoVersion, cluster().line.calicoVersion);
        assert.equal(installation.status.variant, "Calico");
        assert.equal(installation.status.computed.calicoNetwork.linuxDataplane, "Iptables");

        const felix = await cluster().api.get<{ spec: { bpfEnabled: boolean } }>(
            "/apis/crd.projectcalico.org/v1/felixconfigurations/default",
        );
        assert.equal(felix.spec.bpfEnabled, false);

        const status = await cluster().api.get<Conditioned>(
            "/apis/operator.tigera.io/v1/tigerastatuses/calico",
        );
        const available = status.status?.conditions?.find((c) => c.type === "Available");
        assert.equal(available?.status, "True");
        assert.equal(available.observedGeneration, installation.metadata.generation);
    });

    it("runs calico-node on both AKS-labelled nodes, and the operator and coredns, through kwok", async () => {
        for (const node of FAKE_NODES) {
            const got = await cluster().api.get<{
                metadata: { labels: Record<string, string> };
                status: { addresses: { type: string; address: string }[] } & Conditioned["status"];
            }>(`/api/v1/nodes/${node.name}`);
            assert.equal(got.metadata.labels["kubernetes.azure.com/agentpool"], "nodepool1");
            assert.equal(got.metadata.labels["kubernetes.io/os"], "linux");
            assert.deepEqual(
                got.status.addresses.filter((a) => a.type === "InternalIP").map((a) => a.address),
                [node.ip],
            );
        }
        const calicoNode = await cluster().api.get<PodList>(
            "/api/v1/namespaces/calico-system/pods?labelSelector=k8s-app%3Dcalico-node",
        );
        assert.deepEqual(
            calicoNode.items.map((p) => p.spec.nodeName).sort(),
            FAKE_NODES.map((n) => n.name).sort(),
        );
        assert.ok(calicoNode.items.every((p) => p.status.phase === "Running"));
        for (const [ns, selector, count] of [
            ["tigera-operator", "name%3Dtigera-operator", 1],
            ["kube-system", "k8s-app%3Dkube-dns", 2],
        ] as const) {
            const pods = await cluster().api.get<PodList>(
                `/api/v1/namespaces/${ns}/pods?labelSelector=${selector}`,
            );
            assert.equal(
                pods.items.filter((p) => p.status.phase === "Running").length,
                count,
                `${ns} pods`,
            );
        }
    });

    it("readies a running pod the node-lifecycle controller marked not ready, keeping its containers", async () => {
        const path = "/api/v1/namespaces/calico-system/pods";
        const pods = await cluster().api.get<PodList>(
            `${path}?labelSelector=k8s-app%3Dcalico-node`,
        );
        const pod = pods.items[0]?.metadata.name;
        assert.ok(pod, "a calico-node pod");
        type PodStatus = {
            status: {
                conditions?: { type: string; status: string }[];
                containerStatuses?: { state?: { running?: { startedAt?: string } } }[];
            };
        };
        const before = await cluster().api.get<PodStatus>(`${path}/${pod}`);
        // What MarkPodsNotReady writes (kubernetes pkg/controller/util/node/controller_utils.go @v1.36.3).
        await cluster().api.json(
            "PATCH",
            `${path}/${pod}/status`,
            { status: { conditions: [{ type: "Ready", status: "False" }] } },
            "application/strategic-merge-patch+json",
        );
        const ready = await waitFor(
            "the pod ready again",
            async () => {
                const now = await cluster().api.get<PodStatus>(`${path}/${pod}`);
                const condition = now.status.conditions?.find((c) => c.type === "Ready");
                return condition?.status === "True" ? now : undefined;
            },
            30_000,
        );
        assert.deepEqual(
            ready.status.containerStatuses?.map((c) => c.state?.running?.startedAt),
            before.status.containerStatuses?.map((c) => c.state?.running?.startedAt),
        );
    });

    it("serves a calico-node container's log file through the API server's pods/log", async () => {
        const pods = await cluster().api.get<PodList>(
            "/api/v1/namespaces/calico-system/pods?labelSelector=k8s-app%3Dcalico-node",
        );
        const pod = pods.items[0]?.metadata.name;
        assert.ok(pod, "a calico-node pod");
        await cluster().podLogsReady("calico-system", pod);
        const marker = `harness self-test ${Date.now()}`;
        cluster().appendLog("calico-system", pod, "calico-node", ["first line", marker]);
        assert.ok(existsSync(cluster().logPath("calico-system", pod, "calico-node")));
        let text = "";
        for (let attempt = 0; attempt < 25 && !text.includes(marker); attempt++) {
            try {
                text = await cluster().api.raw(
                    "GET",
                    `/api/v1/namespaces/calico-system/pods/${pod}/log?container=calico-node`,
                );
            } catch {
                // kwok has not seen the Logs object yet.
            }
            if (!text.includes(marker)) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.equal(text, `first line\n${marker}\n`);
    });

    it("serves each new pod's log within two heartbeats of its Logs object, under a flood of log requests", async () => {
        // kwok's cache race (cluster.ts LOGS_HEARTBEAT_MS): without the heartbeat, about 1 pod in
        // 100 here stayed "no logs found" until the next Logs object came.
        const logOf = (name: string) =>
            cluster().api.raw("GET", `/api/v1/namespaces/default/pods/${name}/log?container=c`);
        const names: string[] = [];
        let flooding = true;
        const flood = async () => {
            while (flooding) {
                const name = names.at(-1);
                await (name === undefined
                    ? new Promise((resolve) => setTimeout(resolve, 10))
                    : logOf(name).catch(() => ""));
            }
        };
        // kwok's threads on one CPU: the informer's goroutine then waits behind the requests'.
        const kwoks = processesMentioning("--manage-single-node=");
        const pin = (cpuList: string) => {
            for (const pid of kwoks) {
                const pinned = spawnSync("taskset", ["-a", "-p", "-c", cpuList, String(pid)]);
                assert.equal(pinned.status, 0, `taskset ${String(pid)}: ${String(pinned.stderr)}`);
            }
        };
        pin("0");
        const floods = Array.from({ length: 32 }, flood);
        const late: string[] = [];
        try {
            for (const [i, node] of FAKE_NODES.flatMap((n) =>
                Array<typeof n>(25).fill(n),
            ).entries()) {
                const name = `log-race-${String(i)}-${String(Date.now())}`;
                await cluster().api.json("POST", "/api/v1/namespaces/default/pods", {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: {
                        name,
                        namespace: "default",
                        labels: { "lab-tier/probe": "log-race" },
                    },
                    spec: { nodeName: node.name, containers: [{ name: "c", image: "probe" }] },
                });
                names.push(name);
                await cluster().podLogsReady("default", name);
                const served = await waitFor(
                    `${name}'s log`,
                    () =>
                        logOf(name).then(
                            () => true as const,
                            () => undefined,
                        ),
                    2 * LOGS_HEARTBEAT_MS,
                ).then(
                    () => true,
                    () => false,
                );
                if (!served) late.push(name);
            }
        } finally {
            flooding = false;
            await Promise.all(floods);
            pin(`0-${String(cpus().length - 1)}`);
            await cluster().api.json(
                "DELETE",
                "/api/v1/namespaces/default/pods?labelSelector=lab-tier%2Fprobe%3Dlog-race",
            );
        }
        assert.deepEqual(late, [], "pods whose log kwok did not serve in time");
    });

    it("audits a server-side apply sent as YAML, as pulumi-kubernetes sends it", async () => {
        const name = `audit-yaml-${Date.now()}`;
        await cluster().api.raw(
            "PATCH",
            `/api/v1/namespaces/default/configmaps/${name}?fieldManager=yaml-probe`,
            `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  probe: "yes"\n`,
            "application/apply-patch+yaml",
        );
        const events = cluster()
            .audit()
            .filter((e) => e.objectRef?.name === name);
        assert.deepEqual(
            events.map((e) => [e.verb, e.responseStatus?.code]),
            [["patch", 201]],
        );
    });

    it("audits a write, and no read", async () => {
        const name = `audit-probe-${Date.now()}`;
        await cluster().api.apply({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name, namespace: "default" },
            data: { probe: "yes" },
        });
        await cluster().api.get(`/api/v1/namespaces/default/configmaps/${name}`);
        const events = cluster()
            .audit()
            .filter((e) => e.objectRef?.name === name);
        assert.deepEqual(
            events.map((e) => [e.verb, e.level, e.user.username, e.responseStatus?.code]),
            [["patch", "Metadata", "harness", 201]],
        );
    });

    it("stop() ends every process it started and removes the scratch folder", async () => {
        const pids = cluster().processes.map((p) => p.pid);
        assert.equal(
            pids.length,
            3 + 1 + FAKE_NODES.length,
            "etcd, apiserver, controller-manager, scheduler, a kwok per node",
        );
        await cluster().stop();
        for (const pid of pids) {
            assert.throws(
                () => process.kill(pid, 0),
                { code: "ESRCH" },
                `pid ${pid} still running`,
            );
        }
        assert.deepEqual(processesMentioning(cluster().scratchDir), []);
        assert.equal(existsSync(cluster().scratchDir), false);
    });
});
