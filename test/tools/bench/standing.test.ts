import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RUN_LABEL, type KubeObject } from "../../../tools/bench/pods";
import {
    endpointSlice,
    parseProberLog,
    PROBER_SCRIPT,
    proberAccess,
    proberPod,
    sentinelName,
    serviceWithoutSelector,
    standingObjects,
} from "../../../tools/bench/standing";
import { schemaErrors } from "../../support/k8s-schema";
import { scratchDir } from "../../support/scratch";

describe("standing Services", () => {
    const batches = standingObjects("abcd1234", 1000, 1003, "10.224.0.50");

    it("are a selector-less ClusterIP Service and its EndpointSlice each, numbered on from the last count", () => {
        assert.deepEqual(
            batches.map((objects) => objects.map((o) => `${o.kind} ${o.metadata.name}`)),
            [
                ["Service standing-1000", "EndpointSlice standing-1000"],
                ["Service standing-1001", "EndpointSlice standing-1001"],
                ["Service standing-1002", "EndpointSlice standing-1002"],
            ],
        );
        assert.deepEqual(standingObjects("abcd1234", 5, 5, "10.224.0.50"), []);
    });

    it("tie each slice to its Service the way kube-proxy reads it, with the server pod as endpoint", () => {
        for (const [service, slice] of batches as [KubeObject, KubeObject][]) {
            assert.equal((service.spec as { selector?: unknown }).selector, undefined);
            assert.equal(
                slice.metadata.labels["kubernetes.io/service-name"],
                service.metadata.name,
            );
            const { endpoints, ports } = slice as unknown as {
                endpoints: { addresses: string[] }[];
                ports: { name: string; port: number }[];
            };
            assert.deepEqual(endpoints[0]?.addresses, ["10.224.0.50"]);
            const servicePorts = (service.spec as { ports: { name: string; port: number }[] })
                .ports;
            assert.deepEqual(
                ports.map((p) => p.name),
                servicePorts.map((p) => p.name),
            );
        }
    });

    it("validate against the Kubernetes schema, with the prober's access and pod", async () => {
        const objects = [
            ...(batches[0] ?? []),
            ...proberAccess("abcd1234"),
            proberPod("abcd1234", "aks-system-1", {
                name: sentinelName(1000, 2),
                clusterIp: "10.0.12.34",
                podIp: "10.224.0.50",
                limitMs: 300_000,
            }),
        ];
        for (const object of objects) {
            assert.equal(
                await schemaErrors(object),
                undefined,
                `${object.kind} ${object.metadata.name}`,
            );
            assert.equal(object.metadata.labels[RUN_LABEL], "abcd1234");
        }
    });
});

describe("the programming prober", () => {
    it("may create EndpointSlices in its namespace and nothing else", () => {
        const role = proberAccess("abcd1234").find((o) => o.kind === "Role") as unknown as {
            rules: unknown[];
        };
        assert.deepEqual(role.rules, [
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["create"] },
        ]);
    });

    it("posts the sentinel's slice, aimed at the server pod, and probes the sentinel's cluster IP", () => {
        const pod = proberPod("abcd1234", "aks-system-1", {
            name: "sentinel-n1000-r2",
            clusterIp: "10.0.12.34",
            podIp: "10.224.0.50",
            limitMs: 300_000,
        });
        const env = Object.fromEntries(
            (
                pod.spec as { containers: { env: { name: string; value: string }[] }[] }
            ).containers[0]?.env.map((e) => [e.name, e.value]) ?? [],
        );
        assert.deepEqual(
            JSON.parse(env["SLICE"] ?? ""),
            endpointSlice("abcd1234", "sentinel-n1000-r2", "10.224.0.50"),
        );
        assert.equal(env["TARGET"], "10.0.12.34");
        assert.equal(env["NAMESPACE"], "lab-bench-abcd1234");
        assert.equal(
            (pod.spec as { nodeSelector: Record<string, string> }).nodeSelector[
                "kubernetes.io/hostname"
            ],
            "aks-system-1",
        );
        assert.equal(
            serviceWithoutSelector("abcd1234", "sentinel-n1000-r2").metadata.name,
            "sentinel-n1000-r2",
        );
    });

    it("reads the prober's result line, and turns its error line into a failure", () => {
        assert.deepEqual(parseProberLog("programmed 1000 1012 1420 17\n"), {
            programmedMs: 420,
            createMs: 12,
            attempts: 17,
        });
        assert.throws(
            () =>
                parseProberLog("error: creating the EndpointSlice answered HTTP 403: forbidden\n"),
            /the programming probe failed: creating the EndpointSlice answered HTTP 403/,
        );
        assert.throws(
            () => parseProberLog("bash: curl: command not found"),
            /no result in its log: bash: curl/,
        );
    });

    const tools = ["bash", "curl", "timeout"].every(
        (tool) => spawnSync("/bin/sh", ["-c", `command -v ${tool}`]).status === 0,
    );

    type Listening = {
        listen(port: number, host: string, done: () => void): unknown;
        close(done: () => void): unknown;
    };
    const listen = (server: Listening, port: number) =>
        new Promise<void>((resolve) => {
            server.listen(port, "127.0.0.1", resolve);
        });
    const close = (server: Listening) =>
        new Promise<void>((resolve) => {
            server.close(() => {
                resolve();
            });
        });

    /** Runs the prober's script against a local API stand-in and a local port that opens after `openAfterMs`. */
    async function runScript(apiStatus: number, openAfterMs: number | undefined, limitMs: number) {
        const requests: { method?: string; url?: string; auth?: string; body: string }[] = [];
        const api = createHttpServer((request, response) => {
            let body = "";
            request.on("data", (chunk: Buffer) => (body += chunk.toString()));
            request.on("end", () => {
                requests.push({
                    method: request.method,
                    url: request.url,
                    auth: request.headers.authorization,
                    body,
                });
                response.writeHead(apiStatus, { "content-type": "application/json" });
                response.end(apiStatus === 201 ? body : '{"reason":"Forbidden"}');
            });
        });
        await listen(api, 0);
        // A free port, closed until `openAfterMs`.
        const target = createTcpServer((socket) => socket.destroy());
        await listen(target, 0);
        const port = (target.address() as AddressInfo).port;
        await close(target);
        const opening =
            openAfterMs === undefined
                ? undefined
                : setTimeout(() => {
                      target.listen(port, "127.0.0.1");
                  }, openAfterMs);
        const sa = scratchDir("sa-");
        writeFileSync(join(sa, "token"), "the-token");
        writeFileSync(join(sa, "ca.crt"), "");
        const env = {
            PATH: process.env["PATH"] ?? "/usr/bin:/bin",
            SA: sa,
            API: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
            NAMESPACE: "lab-bench-abcd1234",
            SLICE: JSON.stringify(endpointSlice("abcd1234", "sentinel-n0-r1", "127.0.0.1")),
            TARGET: "127.0.0.1",
            PORT: String(port),
            LIMIT_MS: String(limitMs),
        };
        const output = await new Promise<string>((resolve) => {
            const child = spawn("/bin/bash", ["-c", PROBER_SCRIPT], {
                env,
                // A socket on stdin makes bash read ~/.bashrc (its rshd heuristic); a pod has none.
                stdio: ["ignore", "pipe", "pipe"],
            });
            let text = "";
            child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
            child.on("close", () => {
                resolve(text);
            });
        });
        if (opening) clearTimeout(opening);
        await close(api);
        if (target.listening) await close(target);
        return { output, requests };
    }

    it(
        "measures, on one clock, from posting the slice to the first connection",
        { skip: !tools },
        async () => {
            const { output, requests } = await runScript(201, 500, 10_000);
            assert.equal(requests.length, 1);
            const [request] = requests;
            assert.ok(request);
            assert.equal(request.method, "POST");
            assert.equal(
                request.url,
                "/apis/discovery.k8s.io/v1/namespaces/lab-bench-abcd1234/endpointslices",
            );
            assert.equal(request.auth, "Bearer the-token");
            assert.deepEqual(
                JSON.parse(request.body) as unknown,
                endpointSlice("abcd1234", "sentinel-n0-r1", "127.0.0.1"),
            );
            const result = parseProberLog(output);
            // The port opens 500 ms after the script is started, less the script's own start-up.
            assert.ok(result.programmedMs >= 250 && result.programmedMs < 5000, output);
            assert.ok(result.attempts > 1, output);
        },
    );

    it("reports a refused POST and an endpoint that never answers", { skip: !tools }, async () => {
        const refused = await runScript(403, 0, 10_000);
        assert.throws(
            () => parseProberLog(refused.output),
            /answered HTTP 403: \{"reason":"Forbidden"\}/,
        );
        const silent = await runScript(201, undefined, 300);
        assert.throws(() => parseProberLog(silent.output), /still unreachable 300 ms after/);
    });
});
