import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { fakeClock } from "../../support/clock";
import { closedUrl } from "../../support/http-server";
import {
    isUnreachable,
    kubeConfigFromText,
    readCalicoApis,
    noLogYet,
    readCalicoNodePods,
    readEnvironmentObjects,
    waitForPod,
} from "../../../tools/kube/client";

const CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
/** The CRDs of a cluster whose Calico runs the projectcalico.org/v3 API group (operator 1.42+). */
const SERVED_CRDS = ["installations.operator.tigera.io", "felixconfigurations.projectcalico.org"];

/** A fake API server: answers calico-node's pod list and logs, two CRDs, and records the requests. */
async function withApiServer(
    run: (server: string, requests: URL[]) => Promise<void>,
): Promise<void> {
    const requests: URL[] = [];
    const server = createServer((request, response) => {
        const url = new URL(request.url ?? "", "http://localhost");
        requests.push(url);
        const json = (status: number, body: unknown) => {
            response.writeHead(status, { "content-type": "application/json" });
            response.end(JSON.stringify(body));
        };
        if (url.pathname === "/api/v1/namespaces/calico-system/pods") {
            const pod = (name: string, node: string, deleting = false) => ({
                metadata: {
                    name,
                    namespace: "calico-system",
                    creationTimestamp: "2026-11-23T10:01:10Z",
                    labels: { "k8s-app": "calico-node" },
                    ...(deleting ? { deletionTimestamp: "2026-11-23T10:03:00Z" } : {}),
                },
                spec: { nodeName: node, containers: [{ name: "calico-node" }] },
            });
            json(200, {
                kind: "PodList",
                apiVersion: "v1",
                metadata: {},
                items: [
                    pod("calico-node-a", "vmss000000"),
                    pod("calico-node-b", "vmss000001"),
                    pod("calico-node-old", "vmss000001", true),
                    pod("calico-node-c", "vmss000002"),
                ],
            });
        } else if (url.pathname.endsWith("/calico-node-a/log")) {
            response.writeHead(200, { "content-type": "text/plain" });
            response.end(
                "2026-11-23T10:01:13.950602410Z 2026-11-23 10:01:13.950 [INFO][71] felix/daemon.go 132: Felix starting up\n",
            );
        } else if (url.pathname.endsWith("/calico-node-c/log")) {
            // The API server's answer when the node's kubelet is down.
            json(500, {
                kind: "Status",
                status: "Failure",
                message:
                    'Get "https://10.224.0.6:10250/containerLogs/calico-system/calico-node-c/calico-node": dial tcp 10.224.0.6:10250: connect: connection refused',
                code: 500,
            });
        } else if (url.pathname.endsWith("/calico-node-b/log")) {
            json(400, {
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                message:
                    'container "calico-node" in pod "calico-node-b" is waiting to start: PodInitializing',
                reason: "BadRequest",
                code: 400,
            });
        } else if (SERVED_CRDS.some((name) => url.pathname === `${CRDS_PATH}/${name}`)) {
            json(200, {
                kind: "CustomResourceDefinition",
                apiVersion: "apiextensions.k8s.io/v1",
                metadata: { name: url.pathname.slice(CRDS_PATH.length + 1) },
            });
        } else {
            json(404, { kind: "Status", apiVersion: "v1", status: "Failure", code: 404 });
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
        await run(`http://127.0.0.1:${port}`, requests);
    } finally {
        await new Promise((resolve) => server.close(resolve));
    }
}

const kubeconfig = (server: string) =>
    kubeConfigFromText(
        [
            "apiVersion: v1",
            "kind: Config",
            `clusters: [{name: c, cluster: {server: '${server}', insecure-skip-tls-verify: true}}]`,
            "users: [{name: u, user: {token: t}}]",
            "contexts: [{name: x, context: {cluster: c, user: u}}]",
            "current-context: x",
        ].join("\n"),
    );

describe("noLogYet", () => {
    it("reads a container not started or a pod gone as an empty log, and rethrows anything else", () => {
        // What the cluster tier's verify met after an API server outage (kwok's words, most likely
        // its stale list of log files: test/cluster/harness/cluster.ts LOGS_HEARTBEAT_MS; the
        // kubelet's for a container not started: "is waiting to start").
        assert.equal(noLogYet({ code: 400, body: "no logs found for container" }), "");
        assert.equal(noLogYet({ code: 404 }), "");
        const refused = { code: 500, body: "connect: connection refused" };
        assert.throws(
            () => noLogYet(refused),
            (error: unknown) => error === refused,
        );
        const network = new Error("ECONNREFUSED");
        assert.throws(
            () => noLogYet(network),
            (error: unknown) => error === network,
        );
    });
});

describe("readCalicoNodePods", () => {
    it("lists calico-node's live pods and reads each one's log with kubelet timestamps since the switch", async () => {
        await withApiServer(async (server, requests) => {
            const pods = await readCalicoNodePods(
                kubeconfig(server),
                new Date("2026-11-23T10:00:00Z"),
                new Date("2026-11-23T10:05:00Z"),
            );
            assert.deepEqual(
                pods.map((p) => ({ name: p.name, node: p.node, createdAt: p.createdAt })),
                [
                    {
                        name: "calico-node-a",
                        node: "vmss000000",
                        createdAt: Date.parse("2026-11-23T10:01:10Z"),
                    },
                    {
                        name: "calico-node-b",
                        node: "vmss000001",
                        createdAt: Date.parse("2026-11-23T10:01:10Z"),
                    },
                    {
                        name: "calico-node-c",
                        node: "vmss000002",
                        createdAt: Date.parse("2026-11-23T10:01:10Z"),
                    },
                ],
            );
            assert.match(pods[0]?.log ?? "", /Felix starting up/);
            assert.equal(pods[1]?.log, "", "a container that has not started has no log yet");
            assert.equal(pods[2]?.log, "", "a node whose kubelet is down serves no log");

            const list = requests.find((r) => r.pathname.endsWith("/pods"));
            assert.equal(list?.searchParams.get("labelSelector"), "k8s-app=calico-node");
            const log = requests.find((r) => r.pathname.endsWith("/calico-node-a/log"));
            assert.equal(log?.searchParams.get("container"), "calico-node");
            assert.equal(log.searchParams.get("timestamps"), "true");
            // Five minutes since the switch, and a minute more for the nodes' clocks.
            assert.equal(log.searchParams.get("sinceSeconds"), "360");
            assert.ok(!requests.some((r) => r.pathname.includes("calico-node-old")));
        });
    });
});

const VALID = `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: "https://lab-aks.hcp.eastus.azmk8s.io:443" }
users:
- name: user
  user: { token: "t" }
contexts:
- name: lab
  context: { cluster: lab, user: user }
current-context: lab
`;

describe("kubeConfigFromText", () => {
    it("reads a kubeconfig held in memory", () => {
        assert.equal(
            kubeConfigFromText(VALID).getCurrentCluster()?.server,
            "https://lab-aks.hcp.eastus.azmk8s.io:443",
        );
    });
    it("says in one line why text is not a usable kubeconfig", () => {
        for (const text of [
            "clusters: [\n  - {",
            "hello",
            VALID.replace("current-context: lab", "current-context: other"),
        ]) {
            assert.throws(
                () => kubeConfigFromText(text),
                (error: unknown) =>
                    error instanceof Error &&
                    /kubeconfig/.test(error.message) &&
                    error.message.split("\n").length === 1,
                text,
            );
        }
    });
});

describe("isUnreachable", () => {
    it("recognises a refused connection behind fetch's error, and nothing else", async () => {
        const server = new URL((await closedUrl()).replace("http:", "https:"));
        const config = kubeConfigFromText(
            VALID.replace("https://lab-aks.hcp.eastus.azmk8s.io:443", server.origin),
        );
        const error: unknown = await readEnvironmentObjects(config).then(
            () => undefined,
            (thrown: unknown) => thrown,
        );
        assert.ok(error !== undefined, "the read should fail");
        assert.equal(isUnreachable(error), true);
        assert.equal(isUnreachable(new Error("HTTP 403 Forbidden")), false);
        assert.equal(isUnreachable("ECONNREFUSED"), false);
    });
});

/** A fake API server answering one pod, whose phase moves through `phases` with each read. */
async function withPod(phases: readonly string[], run: (server: string) => Promise<void>) {
    let reads = 0;
    const server = createServer((request, response) => {
        const phase = phases[Math.min(reads++, phases.length - 1)];
        response.writeHead(request.url === "/api/v1/namespaces/ns/pods/p" ? 200 : 404, {
            "content-type": "application/json",
        });
        response.end(
            JSON.stringify({
                kind: "Pod",
                apiVersion: "v1",
                metadata: { name: "p", namespace: "ns" },
                status: { phase },
            }),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
        await run(`http://127.0.0.1:${port}`);
    } finally {
        await new Promise((resolve) => server.close(resolve));
    }
}

describe("waitForPod", () => {
    const wait = (server: string, until: "Running" | "Finished", timeoutMs = 60_000) =>
        waitForPod(
            kubeconfig(server),
            { namespace: "ns", name: "p", until, timeoutMs },
            fakeClock(),
        );

    it("waits for Running, and for the end (Succeeded or Failed)", async () => {
        await withPod(["Pending", "Running"], async (server) => {
            assert.equal((await wait(server, "Running")).status?.phase, "Running");
        });
        await withPod(["Running", "Failed"], async (server) => {
            assert.equal((await wait(server, "Finished")).status?.phase, "Failed");
        });
    });

    it("fails at once when a pod it waits to run fails, and says where it was at the deadline", async () => {
        await withPod(["Pending", "Failed"], async (server) => {
            await assert.rejects(wait(server, "Running"), /pod ns\/p failed: phase Failed/);
        });
        await withPod(["Running"], async (server) => {
            await assert.rejects(
                wait(server, "Finished", 5000),
                /pod ns\/p still running after 5s: phase Running/,
            );
        });
        await withPod(["Pending"], async (server) => {
            await assert.rejects(
                wait(server, "Running", 5000),
                /pod ns\/p not Running after 5s: phase Pending/,
            );
        });
    });
});

describe("readCalicoApis", () => {
    it("reports which CRDs the API server serves, a 404 as absent", async () => {
        await withApiServer(async (server, requests) => {
            assert.deepEqual(await readCalicoApis(kubeconfig(server)), {
                installationCrd: true,
                felixCrd: false,
                felixV3Crd: true,
            });
            assert.deepEqual(requests.map((r) => r.pathname).sort(), [
                `${CRDS_PATH}/felixconfigurations.crd.projectcalico.org`,
                `${CRDS_PATH}/felixconfigurations.projectcalico.org`,
                `${CRDS_PATH}/installations.operator.tigera.io`,
            ]);
        });
    });
});
