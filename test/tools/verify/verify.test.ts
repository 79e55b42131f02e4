import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HELP, UsageError } from "../../../tools/cli/args";
import type { CalicoObjects } from "../../../tools/kube/cluster-objects";
import { renderReport } from "../../../tools/verify/report";
import {
    parseOptions,
    verify,
    VerifyError,
    type VerifyCluster,
} from "../../../tools/verify/verify";
import { environmentFrom } from "../../../tools/kube/environment";
import {
    bpfClusterObjects,
    environmentObjectsOf,
    iptablesClusterObjects,
} from "../../support/fixtures";
import { yaobankNetworkPolicies } from "../../../components/yaobank/yaobank-policies";
import { closedUrl, withServer, type TestServer } from "../../support/http-server";
import type { CalicoNodePod } from "../../../core/felix-log";
import { felixStartLines, healthzFailedLine } from "../../support/felix-log-lines";

/**
 * A cluster from recorded objects whose customer pod logs every request the test server received,
 * as if it came from `sourceIp`: the test exercises the real HTTP path and the real log parsing.
 */
function clusterBehind(
    server: TestServer,
    objects: CalicoObjects,
    sourceIp: string,
    policies: unknown[] = [],
    calicoNodeLogs: CalicoNodePod[] = [],
): VerifyCluster & { logReads: number[] } {
    const logReads: number[] = [];
    return {
        logReads,
        calicoNodes: () => Promise.resolve(calicoNodeLogs),
        calicoObjects: () => Promise.resolve(objects),
        environmentObjects: () => Promise.resolve(environmentObjectsOf(objects)),
        networkPolicies: () => Promise.resolve(policies),
        customerLogs: (sinceSeconds) => {
            logReads.push(sinceSeconds);
            const lines = server.requests.map(
                (path) => `${sourceIp} - - [20/Nov/2026 10:05:01] "GET ${path} HTTP/1.1" 200 -`,
            );
            return Promise.resolve([
                {
                    pod: "customer-7d9c5b9b8-x2x4k",
                    text: [" * Running on http://0.0.0.0:80/", ...lines].join("\n"),
                },
            ]);
        },
    };
}

const fast = { intervalMs: 20 };
const input = (url: string, expected: "iptables" | "bpf") => ({
    url,
    expected,
    probeTimeoutMs: 2_000,
    logTimeoutMs: 200,
});

describe("verify, end to end against a local server and recorded objects", () => {
    it("passes on eBPF when the app saw the client's address", async () => {
        await withServer([503, 200], async (server) => {
            const report = await verify(input(server.url, "bpf"), {
                cluster: clusterBehind(server, bpfClusterObjects(), "203.0.113.7"),
                ...fast,
            });
            assert.equal(report.ok, true, report.summary);
            assert.equal(report.live, "bpf");
            assert.equal(report.sourceIp, "203.0.113.7");
            assert.equal(report.sourceKind, "client");
            assert.equal(report.attempts, 2);
            assert.match(server.requests[0] ?? "", /^\/\?lab-verify=[0-9a-f]{12}$/);
        });
    });

    it("passes on iptables when the app saw a node's address", async () => {
        await withServer([200], async (server) => {
            const report = await verify(input(server.url, "iptables"), {
                cluster: clusterBehind(server, iptablesClusterObjects(), "10.224.0.33"),
                ...fast,
            });
            assert.equal(report.ok, true, report.summary);
            assert.equal(report.sourceKind, "node");
        });
    });

    it("fails when the page answers with an error, whatever the source address says", async () => {
        await withServer([500], async (server) => {
            const report = await verify(
                { ...input(server.url, "bpf"), probeTimeoutMs: 100 },
                { cluster: clusterBehind(server, bpfClusterObjects(), "203.0.113.7"), ...fast },
            );
            assert.equal(report.ok, false);
            assert.equal(report.httpStatus, 500);
            assert.equal(report.sourceKind, "client");
            assert.match(report.summary, /answered HTTP 500: the app is broken/);
            assert.match(renderReport(report), /verdict +FAIL: the page answered HTTP 500/);
        });
    });

    it("reports what the cluster runs: versions, nftables mode, healthz port, kube-proxy, nodes", async () => {
        await withServer([200], async (server) => {
            const report = await verify(input(server.url, "bpf"), {
                cluster: clusterBehind(server, bpfClusterObjects(), "203.0.113.7"),
                ...fast,
            });
            const environment = environmentFrom(environmentObjectsOf(bpfClusterObjects()));
            assert.deepEqual(report.environment, environment);
            assert.equal(environment.nodes.length, 2);
            const json = JSON.parse(JSON.stringify(report)) as { environment: unknown };
            assert.deepEqual(json.environment, JSON.parse(JSON.stringify(environment)));
            const text = renderReport(report);
            assert.match(text, /calico +v3\.30\.3 \(tigera-operator v1\.40\.2\)/);
            assert.match(text, /felix +nftablesMode Disabled; kube-proxy healthz port not set/);
            assert.match(
                text,
                /kube-proxy +iptables \(kube-proxy's default: no --proxy-mode flag\)/,
            );
            assert.match(
                text,
                /node +aks-system-12345678-vmss000001: Ubuntu 24\.04\.3 LTS, kernel 6\.8\.0-1041-azure/,
            );
        });
    });

    it("fails on eBPF when the app still sees a node's address", async () => {
        await withServer([200], async (server) => {
            const report = await verify(input(server.url, "bpf"), {
                cluster: clusterBehind(server, bpfClusterObjects(), "10.224.0.4"),
                ...fast,
            });
            assert.equal(report.ok, false);
            assert.match(report.summary, /should preserve the client's address/);
        });
    });

    it("fails when the stack and the cluster disagree", async () => {
        await withServer([200], async (server) => {
            const report = await verify(input(server.url, "bpf"), {
                cluster: clusterBehind(server, iptablesClusterObjects(), "10.224.0.4"),
                ...fast,
            });
            assert.equal(report.ok, false);
            assert.equal(report.live, "iptables");
            assert.match(report.summary, /the stack says bpf but Calico runs iptables/);
        });
    });

    it("says how long it looked and what it saw when the request never shows up in the logs", async () => {
        await withServer([200], async (server) => {
            const cluster: VerifyCluster = {
                ...clusterBehind(server, bpfClusterObjects(), "203.0.113.7"),
                customerLogs: () =>
                    Promise.resolve([
                        {
                            pod: "customer-1",
                            text: '10.224.0.4 - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" 200 -',
                        },
                    ]),
            };
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, false);
            assert.match(report.summary, /never showed up/);
            assert.deepEqual(report.logSearch?.sourcesSeen, ["10.224.0.4"]);
            assert.equal(report.logSearch.entriesSeen, 1);
            assert.match(
                renderReport(report),
                /logs +looked for \d+s; saw 1 request\(s\) from 10\.224\.0\.4 but not this one/,
            );
        });
    });

    it("stops with a clear error when the API server cannot be reached", async () => {
        const cluster: VerifyCluster = {
            networkPolicies: () => Promise.resolve([]),
            calicoObjects: () =>
                Promise.reject(
                    new Error("fetch failed", {
                        cause: new Error("connect ECONNREFUSED 20.1.2.3:443"),
                    }),
                ),
            environmentObjects: () => Promise.resolve(environmentObjectsOf(bpfClusterObjects())),
            customerLogs: () => Promise.resolve([]),
            calicoNodes: () => Promise.resolve([]),
        };
        await assert.rejects(
            verify(input("http://127.0.0.1:9/", "bpf"), { cluster, ...fast }),
            (error: unknown) => {
                assert.ok(error instanceof VerifyError);
                assert.match(
                    error.message,
                    /cannot read the cluster's API server: fetch failed \(connect ECONNREFUSED 20\.1\.2\.3:443\)/,
                );
                return true;
            },
        );
    });
});

describe("verify under eBPF checks who serves kube-proxy's health port (Felix's log)", () => {
    /** The recorded eBPF cluster on Calico 3.31.7, with the lab's healthz port under `field`. */
    const onCalico = (calicoVersion: string, field: string): CalicoObjects => {
        const objects = bpfClusterObjects();
        const installation = objects.installation as { status: Record<string, unknown> };
        const felix = objects.felixConfiguration as { spec: Record<string, unknown> };
        return {
            ...objects,
            installation: { ...installation, status: { ...installation.status, calicoVersion } },
            felixConfiguration: { ...felix, spec: { ...felix.spec, [field]: 10258 } },
        };
    };
    const calicoNode = (lines: string[]): CalicoNodePod => ({
        name: "calico-node-7xk2p",
        node: "aks-system-12345678-vmss000000",
        createdAt: Date.now() - 3_600_000,
        log: lines.join("\n"),
    });
    const felixOn = (port: number) =>
        felixStartLines({
            version: "v3.31.7",
            pid: 212,
            at: Date.now() - 60_000,
            bpf: true,
            healthzPort: port,
        });

    it("passes and reports Felix on each node when its log shows it serving the port", async () => {
        await withServer([200], async (server) => {
            const objects = onCalico("v3.31.7", "bpfKubeProxyHealthzPort");
            const cluster = clusterBehind(
                server,
                objects,
                "203.0.113.7",
                [],
                [calicoNode(felixOn(10258))],
            );
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, true, report.summary);
            const text = renderReport(report);
            assert.match(
                text,
                /^healthz +port 10258 \(bpfKubeProxyHealthzPort\); per node, from Felix's log only$/m,
            );
            assert.match(
                text,
                /^healthz +aks-system-12345678-vmss000000: served by Felix; Felix \(pid 212\) started its server on :10258/m,
            );
        });
    });

    it("fails clearly when another process holds the port on a node", async () => {
        await withServer([200], async (server) => {
            const objects = onCalico("v3.31.7", "bpfKubeProxyHealthzPort");
            const failing = [
                ...felixOn(10258),
                healthzFailedLine("v3.31.7", 212, Date.now() - 1000, 10258),
            ];
            const cluster = clusterBehind(
                server,
                objects,
                "203.0.113.7",
                [],
                [calicoNode(failing)],
            );
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, false);
            assert.match(
                report.summary,
                /cannot serve kube-proxy's health check on :10258 on aks-system-12345678-vmss000000: another process holds the port/,
            );
            assert.match(
                renderReport(report),
                /^healthz +aks-system-12345678-vmss000000: NOT served by Felix; Felix \(pid 212\) cannot bind :10258/m,
            );
        });
    });

    it("fails and says to run up when an AKS upgrade renamed the field", async () => {
        await withServer([200], async (server) => {
            const objects = onCalico("v3.30.7", "bpfKubeProxyHealtzPort");
            const cluster = clusterBehind(server, objects, "203.0.113.7", [], []);
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, false);
            assert.match(
                report.summary,
                /Calico v3\.30\.7 reads bpfKubeProxyHealthzPort.*run `npm run lab -- up`/,
            );
        });
    });

    it("does not read calico-node's logs under iptables", async () => {
        await withServer([200], async (server) => {
            let reads = 0;
            const cluster: VerifyCluster = {
                ...clusterBehind(server, iptablesClusterObjects(), "10.224.0.4"),
                calicoNodes: () => {
                    reads += 1;
                    return Promise.resolve([]);
                },
            };
            const report = await verify(input(server.url, "iptables"), { cluster, ...fast });
            assert.equal(report.ok, true, report.summary);
            assert.equal(reads, 0);
            assert.equal(report.healthz, undefined);
        });
    });
});

describe("verify with yaobank's NetworkPolicies", () => {
    const listed = yaobankNetworkPolicies({ allowedClientCidrs: ["203.0.113.0/24"] }) as unknown[];

    it("reports the policies and that the allow-list lets this client in", async () => {
        await withServer([200], async (server) => {
            const cluster = clusterBehind(server, bpfClusterObjects(), "203.0.113.7", listed);
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, true, report.summary);
            assert.deepEqual(report.policies, POLICY_NAMES);
            assert.deepEqual(report.allowList, ["203.0.113.0/24"]);
            assert.equal(report.clientAllowed, true);
            assert.match(
                renderReport(report),
                /allow-list +203\.0\.113\.0\/24 \(lets this client in\)/,
            );
        });
    });

    it("fails when the page answers a client the allow-list refuses", async () => {
        await withServer([200], async (server) => {
            const cluster = clusterBehind(server, bpfClusterObjects(), "198.51.100.9", listed);
            const report = await verify(input(server.url, "bpf"), { cluster, ...fast });
            assert.equal(report.ok, false);
            assert.equal(report.clientAllowed, false);
            assert.match(
                report.summary,
                /answered 198\.51\.100\.9, which the allow-list .* refuses/,
            );
        });
    });

    it("does not judge the allow-list under iptables, where the app sees a node's address", async () => {
        await withServer([200], async (server) => {
            const cluster = clusterBehind(server, iptablesClusterObjects(), "10.224.0.4", listed);
            const report = await verify(input(server.url, "iptables"), { cluster, ...fast });
            assert.equal(report.ok, true, report.summary);
            assert.equal(report.clientAllowed, undefined);
            assert.match(renderReport(report), /not visible under iptables/);
        });
    });

    it("explains no answer by the allow-list when one is in force", async () => {
        const url = await closedUrl();
        const cluster: VerifyCluster = {
            calicoObjects: () => Promise.resolve(bpfClusterObjects()),
            environmentObjects: () =>
                Promise.resolve({ ...environmentObjectsOf(bpfClusterObjects()), nodes: [] }),
            networkPolicies: () => Promise.resolve(listed),
            customerLogs: () => Promise.resolve([]),
            calicoNodes: () => Promise.resolve([]),
        };
        await assert.rejects(
            verify({ ...input(url, "bpf"), probeTimeoutMs: 100 }, { cluster, ...fast }),
            /no answer from .*the page only lets in 203\.0\.113\.0\/24 \(allowedClientCidrs\)/,
        );
    });
});

describe("parseOptions", () => {
    it("defaults to the lab's stack and reads the by-hand trio", () => {
        assert.deepEqual(parseOptions([], {}), { stack: "dev", json: false, timeoutSeconds: 180 });
        assert.deepEqual(parseOptions([], { LAB_STACK: "prod" }), {
            stack: "prod",
            json: false,
            timeoutSeconds: 180,
        });
        assert.deepEqual(
            parseOptions(
                ["--kubeconfig", "k", "--url", "http://1.2.3.4/", "--expect", "iptables", "--json"],
                {},
            ),
            {
                stack: "dev",
                json: true,
                timeoutSeconds: 180,
                kubeconfigFile: "k",
                url: "http://1.2.3.4/",
                expect: "iptables",
            },
        );
    });
    it("takes the kubeconfig from $LAB_KUBECONFIG with --kubeconfig-env, as the study passes it", () => {
        assert.deepEqual(
            parseOptions(["--kubeconfig-env", "--url", "http://1.2.3.4/", "--expect", "bpf"], {}),
            {
                stack: "dev",
                json: false,
                timeoutSeconds: 180,
                kubeconfigEnv: true,
                url: "http://1.2.3.4/",
                expect: "bpf",
            },
        );
        assert.throws(() => parseOptions(["--kubeconfig-env"], {}), /go together/);
        assert.throws(
            () =>
                parseOptions(
                    [
                        "--kubeconfig-env",
                        "--kubeconfig",
                        "k",
                        "--url",
                        "http://x/",
                        "--expect",
                        "bpf",
                    ],
                    {},
                ),
            /exclude each other/,
        );
    });
    it("rejects incomplete or malformed flags", () => {
        assert.throws(() => parseOptions(["--url", "http://1.2.3.4/"], {}), /go together/);
        assert.throws(
            () => parseOptions(["--kubeconfig", "k", "--url", "1.2.3.4", "--expect", "bpf"], {}),
            /http\(s\) URL/,
        );
        assert.throws(
            () => parseOptions(["--kubeconfig", "k", "--url", "http://x/", "--expect", "ebpf"], {}),
            /--expect must be one of iptables, bpf/,
        );
        assert.throws(() => parseOptions(["--timeout-seconds", "0"], {}), /from 1 to 86400/);
        // Beyond what a timer can count: said as a bound, not as "not a positive integer".
        assert.throws(
            () => parseOptions(["--timeout-seconds", "999999999999999999999"], {}),
            /--timeout-seconds must be an integer from 1 to 86400, not "999999999999999999999"/,
        );
    });
    it("refuses a stack name the local backend would not take, from --stack or LAB_STACK", () => {
        for (const [argv, env, pattern] of [
            [["--stack", ""], {}, /--stack must be a stack name .*, not ""/],
            [["--stack", "../x"], {}, /--stack must be a stack name/],
            [[], { LAB_STACK: "" }, /LAB_STACK must be a stack name .*, not ""/],
            [[], { LAB_STACK: "../x" }, /LAB_STACK must be a stack name/],
        ] as const)
            assert.throws(
                () => parseOptions(argv, env),
                (error: unknown) => error instanceof UsageError && pattern.test(error.message),
                String(pattern),
            );
        assert.equal(
            (parseOptions(["--stack", "lab_2.x-y"], {}) as { stack: string }).stack,
            "lab_2.x-y",
        );
    });
    it("answers --help and -h, and calls every malformed line a usage error", () => {
        assert.equal(parseOptions(["--help"], {}), HELP);
        assert.equal(parseOptions(["--json", "-h"], {}), HELP);
        for (const argv of [
            ["--timeout-seconds", "-5"],
            ["--bogus"],
            ["extra"],
            ["--url", "http://x/"],
            ["--json=yes"],
        ]) {
            assert.throws(() => parseOptions(argv, {}), UsageError, argv.join(" "));
        }
    });
});

const POLICY_NAMES = [
    "customer-from-clients",
    "database-from-summary",
    "default-deny-ingress",
    "summary-from-customer",
];
