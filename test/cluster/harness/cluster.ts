/**
 * A real Kubernetes control plane on loopback for the cluster tier, envtest-style: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler built from their Go modules
 * (test/cluster/toolchain), kwok as the nodes' kubelets, all in a scratch folder on free ports,
 * every process stopped by stop(), on a failed start, and on Ctrl-C.
 *
 * After controller-runtime's envtest (kubernetes-sigs/controller-runtime v0.24.1,
 * pkg/internal/testing/controlplane/{etcd,apiserver}.go: the flags, health checks and certs) and
 * kwok's binary runtime (kubernetes-sigs/kwok v0.8.0, pkg/kwokctl/runtime/binary/cluster.go: etcd,
 * apiserver, controller-manager, scheduler and kwok-controller as local processes).
 * Every listening address is 127.0.0.1, or a node's own 127.0.0.x for its kwok (kwok.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goModuleDir, requireClusterBinaries, toolchainVersion } from "../toolchain/build";
import { AUDIT_POLICY, readAuditEvents, type AuditEvent } from "./audit";
import {
    aksCalicoLine,
    fixtureCrds,
    fixtureObjects,
    treeCrds,
    tigeraStatus,
    installationStatus,
    type AksCalicoLine,
    type TierOperatorKind,
} from "./fixture";
import { KubeApi, KubeApiError, type KubeObject } from "./kube-api";
import {
    appendCriLog,
    FAKE_NODES,
    kwokArgs,
    logsCrd,
    logsObject,
    nodeObject,
    podLogPath,
    writeKwokConfig,
    type FakeNode,
} from "./kwok";
import { makePki, type KeyPair } from "./pki";
import { HUB_ADDRESS } from "../nodes/namespaces";
import { startOperator, type TierOperator } from "../operator/run-operator";
import { freePort, ProcessGroup, stopProcess, waitFor, type RunningProcess } from "./processes";

export interface ClusterOptions {
    /** The AKS line's CRD set in ../shared/crds, e.g. `aks-managed-calico-v3.31.2`. */
    readonly crdSet: string;
    /**
     * The line's Calico source tree (../shared/src/calico-<version>): every CRD Felix reads is
     * installed from its libcalico-go/config/crd, beside the CRD set's.
     */
    readonly calicoTree?: string;
    /**
     * Who reconciles Calico: `none` (the default) lays down Calico as the operator leaves it, for
     * the harness's own test; `real` lays down only what AKS does and
     * runs the real tigera/operator of the line's minor (../operator), which renders the rest.
     */
    readonly operator?: TierOperatorKind;
    /** Keep the scratch folder after stop() (its logs, audit log, etcd data). */
    readonly keepScratch?: boolean;
    /** Progress lines (default: none). */
    readonly log?: (line: string) => void;
}

/** The control plane's processes a fault can stop: etcd and the API server. */
export type ControlPlaneProcess = "etcd" | "kube-apiserver";

export interface LocalCluster {
    readonly line: AksCalicoLine;
    readonly scratchDir: string;
    /** Admin kubeconfig (client certificate, system:masters), written 0600 in the scratch folder. */
    readonly kubeconfigPath: string;
    readonly kubeconfigYaml: string;
    /** The cluster CA's certificate (PEM), which signs the API server's. */
    readonly caCertFile: string;
    /** https://127.0.0.1:<port> */
    readonly server: string;
    /** The harness's client (its writes show in the audit log as user `harness`). */
    readonly api: KubeApi;
    readonly processes: readonly RunningProcess[];
    /** The real tigera/operator, one of `processes`; undefined with `operator: "none"`. */
    readonly operator: TierOperator | undefined;
    /**
     * Stops a control-plane process (SIGTERM, as a restart or an upgrade does); the function it
     * returns starts it again with the same flags and data, and resolves once it answers.
     */
    outage(component: ControlPlaneProcess): Promise<() => Promise<void>>;
    /**
     * Stops a node's kubelet (its kwok), as a node that goes down: its Lease goes stale and the
     * node-lifecycle controller marks it NotReady. The function it returns starts it again and
     * resolves once the node is Ready.
     */
    nodeOutage(node: string): Promise<() => Promise<void>>;
    /** Every completed write the API server audited so far, oldest first. */
    audit(): AuditEvent[];
    /** The CRI-format file kwok serves as this container's log (through pods/log). */
    logPath(namespace: string, pod: string, container: string, previous?: boolean): string;
    /** Appends lines to a container's log, as the container would write them. */
    appendLog(namespace: string, pod: string, container: string, lines: readonly string[]): void;
    /** Resolves once kwok serves logs for this pod (its Logs object exists). */
    podLogsReady(namespace: string, pod: string): Promise<void>;
    stop(): Promise<void>;
}

const SERVICE_CIDR = "10.0.0.0/16";
const SERVICE_IP = "10.0.0.1";
const START_TIMEOUT_MS = 120_000;

/** Controllers the lab's resources need (names as kube-controller-manager 1.36 --help lists them). */
const CONTROLLERS = [
    "deployment-controller",
    "replicaset-controller",
    "daemonset-controller",
    "garbage-collector-controller",
    "namespace-controller",
    "serviceaccount-controller",
    "serviceaccount-token-controller",
    "root-ca-certificate-publisher-controller",
    "endpointslice-controller",
    // Removes the node.kubernetes.io/not-ready taint that the TaintNodesByCondition admission
    // plugin puts on every new node, once kwok reports it Ready (without it no Deployment pod is
    // scheduled); kwok renews the node leases it watches.
    "node-lifecycle-controller",
    // pulumi-kubernetes waits for a Service's v1 Endpoints, not its slices (provider/pkg/await/service.go @v4.25.0).
    "endpoints-controller",
];

/** What kube-controller-manager and kube-scheduler both take: one kubeconfig, loopback, no election. */
function controllerFlags(kubeconfigPath: string, securePort: number): string[] {
    return [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${securePort}`,
        "--leader-elect=false",
    ];
}

function kubeconfig(server: string, caFile: string, client: KeyPair, user: string): string {
    const b64 = (file: string) => readFileSync(file).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: local",
        "    cluster:",
        `      server: ${server}`,
        `      certificate-authority-data: ${b64(caFile)}`,
        "users:",
        `  - name: ${user}`,
        "    user:",
        `      client-certificate-data: ${b64(client.cert)}`,
        `      client-key-data: ${b64(client.key)}`,
        "contexts:",
        "  - name: local",
        "    context:",
        "      cluster: local",
        `      user: ${user}`,
        "current-context: local",
        "",
    ].join("\n");
}

function httpOk(url: string): Promise<true | undefined> {
    return new Promise((resolve, reject) => {
        request(url, { timeout: 2000 }, (res) => {
            res.resume();
            resolve(res.statusCode === 200 ? true : undefined);
        })
            .on("error", reject)
            .end();
    });
}

export async function startCluster(options: ClusterOptions): Promise<LocalCluster> {
    const log = options.log ?? (() => undefined);
    const bin = requireClusterBinaries();
    const line = aksCalicoLine(options.crdSet);
    const scratchDir = mkdtempSync(join(tmpdir(), "aks-calico-lab-cluster-"));
    const dirs = {
        pki: join(scratchDir, "pki"),
        etcd: join(scratchDir, "etcd"),
        logs: join(scratchDir, "logs"),
        podLogs: join(scratchDir, "pod-logs"),
    };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const group = new ProcessGroup();
    const started = Date.now();
    let stopWatch = (): void => undefined;

    const stop = async (): Promise<void> => {
        stopWatch();
        await group.stop();
        if (!options.keepScratch) rmSync(scratchDir, { recursive: true, force: true });
    };

    try {
        const pki = makePki(dirs.pki, SERVICE_IP, [HUB_ADDRESS]);
        const auditLog = join(scratchDir, "audit.log");
        const auditPolicy = join(scratchDir, "audit-policy.yaml");
        writeFileSync(auditPolicy, AUDIT_POLICY);

        // etcd (envtest etcd.go: client and peer URLs on loopback, --unsafe-no-fsync for tests).
        const etcdPort = await freePort("127.0.0.1");
        const peerPort = await freePort("127.0.0.1");
        const etcdUrl = `http://127.0.0.1:${etcdPort}`;
        const peerUrl = `http://127.0.0.1:${peerPort}`;
        const startEtcd = () =>
            group.start(
                "etcd",
                join(bin, "etcd"),
                [
                    "--name=default",
                    `--data-dir=${dirs.etcd}`,
                    `--listen-client-urls=${etcdUrl}`,
                    `--advertise-client-urls=${etcdUrl}`,
                    `--listen-peer-urls=${peerUrl}`,
                    `--initial-advertise-peer-urls=${peerUrl}`,
                    `--initial-cluster=default=${peerUrl}`,
                    "--unsafe-no-fsync=true",
                    "--log-level=warn",
                ],
                join(dirs.logs, "etcd.log"),
            );
        // The control plane's processes, as they run now: an outage stops one and starts it again.
        const control = new Map<ControlPlaneProcess, RunningProcess>();
        const runEtcd = async () => {
            const etcd = startEtcd();
            control.set("etcd", etcd);
            await waitFor("etcd", () => httpOk(`${etcdUrl}/health`), START_TIMEOUT_MS, etcd);
        };
        await runEtcd();
        log(`etcd up on ${etcdUrl}`);

        // kube-apiserver (envtest apiserver.go defaults, plus what the tier needs: service
        // accounts, privileged pods for calico-node, the audit log, kubelets reached at their
        // InternalDNS address (kwok.ts) with their serving certificates verified).
        const apiPort = await freePort("127.0.0.1");
        const server = `https://127.0.0.1:${apiPort}`;
        const kubeletClient = pki.client("kube-apiserver-kubelet-client", "system:masters");
        const startApiServer = () =>
            group.start(
                "kube-apiserver",
                join(bin, "kube-apiserver"),
                [
                    `--etcd-servers=${etcdUrl}`,
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    `--secure-port=${apiPort}`,
                    `--cert-dir=${dirs.pki}`,
                    `--tls-cert-file=${pki.apiserver.cert}`,
                    `--tls-private-key-file=${pki.apiserver.key}`,
                    `--client-ca-file=${pki.caCert}`,
                    "--authorization-mode=RBAC",
                    `--service-cluster-ip-range=${SERVICE_CIDR}`,
                    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                    `--service-account-key-file=${pki.serviceAccountPub}`,
                    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
                    "--allow-privileged=true",
                    "--kubelet-preferred-address-types=InternalDNS",
                    `--kubelet-certificate-authority=${pki.caCert}`,
                    `--kubelet-client-certificate=${kubeletClient.cert}`,
                    `--kubelet-client-key=${kubeletClient.key}`,
                    `--audit-policy-file=${auditPolicy}`,
                    `--audit-log-path=${auditLog}`,
                    "--audit-log-format=json",
                    "--audit-log-mode=blocking",
                    // One file for the whole run: at 0 the log rotates at 100 MB (lumberjack's default,
                    // k8s.io/apiserver pkg/server/options/audit.go @v0.36.3) and audit() would lose the start.
                    "--audit-log-maxsize=100000",
                    "--profiling=false",
                ],
                join(dirs.logs, "kube-apiserver.log"),
            );
        const harnessClient = pki.client("harness", "system:masters");
        const api = new KubeApi(server, pki.caCert, harnessClient);
        const runApiServer = async () => {
            const apiserver = startApiServer();
            control.set("kube-apiserver", apiserver);
            await waitFor(
                "kube-apiserver",
                async () => ((await api.raw("GET", "/readyz")) === "ok" ? true : undefined),
                START_TIMEOUT_MS,
                apiserver,
            );
        };
        await runApiServer();
        log(`kube-apiserver up on ${server} (${Date.now() - started} ms)`);

        const writeKubeconfig = (user: string): { path: string; yaml: string } => {
            const yaml = kubeconfig(server, pki.caCert, pki.client(user, "system:masters"), user);
            const path = join(scratchDir, `${user}.kubeconfig`);
            writeFileSync(path, yaml, { mode: 0o600 });
            return { path, yaml };
        };
        const admin = writeKubeconfig("lab-admin");

        const kcmPort = await freePort("127.0.0.1");
        const kcm = writeKubeconfig("kube-controller-manager");
        const controllerManager = group.start(
            "kube-controller-manager",
            join(bin, "kube-controller-manager"),
            [
                ...controllerFlags(kcm.path, kcmPort),
                `--controllers=${CONTROLLERS.join(",")}`,
                `--service-account-private-key-file=${pki.serviceAccountKey}`,
                `--root-ca-file=${pki.caCert}`,
                "--use-service-account-credentials=false",
                "--concurrent-deployment-syncs=2",
                "--concurrent-daemonset-syncs=2",
            ],
            join(dirs.logs, "kube-controller-manager.log"),
        );
        const schedulerPort = await freePort("127.0.0.1");
        const sched = writeKubeconfig("kube-scheduler");
        const scheduler = group.start(
            "kube-scheduler",
            join(bin, "kube-scheduler"),
            controllerFlags(sched.path, schedulerPort),
            join(dirs.logs, "kube-scheduler.log"),
        );

        // CRDs first (kwok's Logs and the AKS line's), then the nodes, then the kubelets.
        const kwokDir = goModuleDir("kwok");
        const operatorKind = options.operator ?? "none";
        const lineCrds = fixtureCrds(line, operatorKind);
        const crds = [
            logsCrd(kwokDir),
            ...lineCrds,
            ...(options.calicoTree === undefined ? [] : treeCrds(options.calicoTree, lineCrds)),
        ];
        for (const crd of crds) await api.apply(crd);
        for (const crd of crds) {
            await waitFor(
                `CRD ${crd.metadata.name} established`,
                async () => {
                    const got = await api.get<{
                        status?: { conditions?: { type: string; status: string }[] };
                    }>(
                        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
                    );
                    return got.status?.conditions?.some(
                        (c) => c.type === "Established" && c.status === "True",
                    )
                        ? true
                        : undefined;
                },
                30_000,
            );
        }
        const kubernetesVersion = toolchainVersion("kubernetes");
        for (const node of FAKE_NODES) {
            const object = nodeObject(node, kubernetesVersion);
            await api.apply({ ...object, status: undefined });
            await api.applyStatus(object);
        }

        const kwokConfig = join(scratchDir, "kwok.yaml");
        writeKwokConfig(kwokDir, kwokConfig);
        const kwokKubeconfig = writeKubeconfig("kwok");
        // Each node's kwok, as it runs now: a node outage stops it and starts it again.
        const kubelets = new Map<string, RunningProcess>();
        const startKubelet = async (node: FakeNode) => {
            const port = await freePort(node.kubeletAddress);
            const serving = pki.serving(`kwok-${node.name}`, [node.kubeletAddress], [node.name]);
            kubelets.set(
                node.name,
                group.start(
                    `kwok ${node.name}`,
                    join(bin, "kwok"),
                    kwokArgs(node, port, {
                        kubeconfig: kwokKubeconfig.path,
                        config: kwokConfig,
                        cert: serving.cert,
                        key: serving.key,
                    }),
                    join(dirs.logs, `kwok-${node.name}.log`),
                ),
            );
        };
        const nodeReady = (node: FakeNode) =>
            waitFor(
                `node ${node.name} Ready`,
                async () => {
                    const got = await api.get<{
                        status?: { conditions?: { type: string; status: string }[] };
                    }>(`/api/v1/nodes/${node.name}`);
                    return got.status?.conditions?.some(
                        (c) => c.type === "Ready" && c.status === "True",
                    )
                        ? true
                        : undefined;
                },
                START_TIMEOUT_MS,
                kubelets.get(node.name),
            );
        for (const node of FAKE_NODES) await startKubelet(node);
        for (const node of FAKE_NODES) await nodeReady(node);
        log(`nodes Ready (${Date.now() - started} ms)`);

        // A Logs object for every pod, as it appears, so kwok serves its containers' log files.
        const watcher = watchPodsForLogs(api, dirs.podLogs);
        stopWatch = watcher.stop;

        for (const object of fixtureObjects(line, operatorKind)) await api.apply(object);
        let operator: TierOperator | undefined;
        if (operatorKind === "real") {
            // What AKS lays down is in place; the operator renders Calico from it.
            operator = await startOperator({
                api,
                group,
                line,
                server,
                caCertFile: pki.caCert,
                scratchDir,
                logsDir: dirs.logs,
            });
            log(`tigera-operator started (${Date.now() - started} ms)`);
            await waitForWorkloads(api, [controllerManager, scheduler, operator.process], "real");
            await waitFor(
                `TigeraStatus calico Available and the Installation's status on ${line.calicoVersion}`,
                () => calicoSettled(api, line),
                START_TIMEOUT_MS,
                operator.process,
            );
            log(
                `fixture ${line.crdSet} in place, rendered by the operator, its pods Running (${Date.now() - started} ms)`,
            );
        } else {
            // Calico as the operator leaves it, with the statuses it writes.
            const installation = await api.applyStatus({
                apiVersion: "operator.tigera.io/v1",
                kind: "Installation",
                metadata: { name: "default" },
                status: installationStatus(line),
            });
            const generation = (installation.metadata as { generation?: number }).generation ?? 1;
            const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
            const status = tigeraStatus(generation, at);
            await api.apply({ ...status, status: undefined });
            await api.applyStatus(status);
            await waitForWorkloads(api, [controllerManager, scheduler], "none");
            log(`fixture ${line.crdSet} in place, its pods Running (${Date.now() - started} ms)`);
        }

        return {
            line,
            scratchDir,
            kubeconfigPath: admin.path,
            kubeconfigYaml: admin.yaml,
            caCertFile: pki.caCert,
            server,
            api,
            processes: group.running,
            operator,
            outage: async (component) => {
                const running = control.get(component);
                if (running !== undefined) await stopProcess(running);
                return component === "etcd" ? runEtcd : runApiServer;
            },
            nodeOutage: async (name) => {
                const node = FAKE_NODES.find((n) => n.name === name);
                if (node === undefined) throw new Error(`no node ${name}`);
                const running = kubelets.get(name);
                if (running !== undefined) await stopProcess(running);
                return async () => {
                    await startKubelet(node);
                    await nodeReady(node);
                };
            },
            audit: () => readAuditEvents(auditLog),
            logPath: (namespace, pod, container, previous = false) =>
                podLogPath(dirs.podLogs, namespace, pod, container, previous),
            appendLog: (namespace, pod, container, lines) => {
                appendCriLog(podLogPath(dirs.podLogs, namespace, pod, container), lines);
            },
            podLogsReady: async (namespace, pod) => {
                await waitFor(
                    `Logs for ${namespace}/${pod}`,
                    () => logsServed(api, namespace, pod),
                    30_000,
                );
            },
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

async function logsServed(api: KubeApi, namespace: string, pod: string): Promise<true | undefined> {
    try {
        await api.get(`/apis/kwok.x-k8s.io/v1alpha1/namespaces/${namespace}/logs/${pod}`);
        return true;
    } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return undefined;
        throw error;
    }
}

interface PodItem {
    metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
    spec: { containers: { name: string }[]; initContainers?: { name: string }[] };
    status?: { phase?: string };
}

/**
 * How often the harness touches LOGS_HEARTBEAT. kwok answers pods/log from the Logs objects it
 * lists from its informer's store, and caches that list under the informer's last resource version
 * (sigs.k8s.io/kwok pkg/config/resources/cache.go withCache, dynamic.go Version @v0.8.0). The
 * reflector sets that version as it queues an event, and the store takes the event later, in the
 * informer's own goroutine (k8s.io/client-go tools/cache reflector.go handleAnyWatch,
 * controller.go newInformer @v0.36.1). A log request in between caches a list without the newest
 * Logs object, and kwok answers "no logs found" for its pod until the next Logs event, which may
 * never come: on the tier, 15 s and more for 1 pod in 150 under a flood of log requests, and a
 * flip's wait that read an empty log from a running Felix for 4 minutes (CI on 5a4e5b2).
 */
export const LOGS_HEARTBEAT_MS = 1_000;

/** A Logs object no pod has, written once a heartbeat with a new `beat`: that next Logs event. */
function logsHeartbeat(beat: number): KubeObject {
    return {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "Logs",
        metadata: {
            name: "lab-tier-heartbeat",
            namespace: "default",
            annotations: { "lab-tier/beat": String(beat) },
        },
        spec: { logs: [] },
    };
}

/**
 * Lists pods every 300 ms and creates the Logs object of each new one, and touches LOGS_HEARTBEAT
 * every LOGS_HEARTBEAT_MS. A list rather than a watch: it needs no reconnect logic, and reads are
 * not audited (nor are Logs objects: audit.ts).
 */
function watchPodsForLogs(api: KubeApi, root: string): { stop: () => void } {
    const created = new Set<string>();
    let stopped = false;
    let beat = 0;
    let beatAt = 0;
    const loop = async (): Promise<void> => {
        while (!stopped) {
            try {
                if (Date.now() - beatAt >= LOGS_HEARTBEAT_MS) {
                    await api.apply(logsHeartbeat(++beat));
                    beatAt = Date.now();
                }
                const pods = await api.get<{ items: PodItem[] }>("/api/v1/pods");
                for (const pod of pods.items) {
                    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
                    if (created.has(key) || pod.metadata.deletionTimestamp) continue;
                    await api.apply(logsObject(root, pod));
                    created.add(key);
                }
            } catch {
                // The server is stopping, or a pod went away between list and apply: next round.
            }
            await new Promise((resolve) => setTimeout(resolve, 300));
        }
    };
    void loop();
    return { stop: () => (stopped = true) };
}

/**
 * Calico settled as a cluster users flip has it: TigeraStatus `calico` Available, and the
 * Installation's status naming the line's Calico. The operator writes that status only on a
 * reconcile that finds everything available, else it retries 30 s later (tigera/operator
 * pkg/controller/installation/core_controller.go, utils.StandardRetry, @v1.38.6 and @v1.40.2), so
 * it may come well after TigeraStatus; the lab's kernel guard reads it.
 */
async function calicoSettled(api: KubeApi, line: AksCalicoLine): Promise<true | undefined> {
    const status = await api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        "/apis/operator.tigera.io/v1/tigerastatuses/calico",
    );
    const installation = await api.get<{ status?: { calicoVersion?: string } }>(
        "/apis/operator.tigera.io/v1/installations/default",
    );
    const available = status.status?.conditions?.some(
        (c) => c.type === "Available" && c.status === "True",
    );
    return available && installation.status?.calicoVersion === line.calicoVersion
        ? true
        : undefined;
}

/**
 * Until every workload AKS and the operator run has all its pods Running, or names what is not:
 * the real operator also renders Typha and kube-controllers, which the static fixture has not.
 */
async function waitForWorkloads(
    api: KubeApi,
    controlPlane: RunningProcess[],
    operator: TierOperatorKind,
): Promise<void> {
    const workloads = [
        "/apis/apps/v1/namespaces/tigera-operator/deployments/tigera-operator",
        "/apis/apps/v1/namespaces/kube-system/deployments/coredns",
        "/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node",
        ...(operator === "real"
            ? [
                  "/apis/apps/v1/namespaces/calico-system/deployments/calico-typha",
                  "/apis/apps/v1/namespaces/calico-system/deployments/calico-kube-controllers",
              ]
            : []),
    ];
    for (const path of workloads) {
        await waitFor(
            `${path} available`,
            async () => {
                for (const p of controlPlane) {
                    if (!p.isRunning()) throw new Error(`${p.name} exited; see ${p.logFile}`);
                }
                const got = await api.get<{
                    status?: {
                        numberAvailable?: number;
                        desiredNumberScheduled?: number;
                        availableReplicas?: number;
                        replicas?: number;
                    };
                    spec: { replicas?: number };
                }>(path);
                const s = got.status ?? {};
                const ready = path.includes("daemonsets")
                    ? (s.desiredNumberScheduled ?? 0) > 0 &&
                      s.numberAvailable === s.desiredNumberScheduled
                    : (s.availableReplicas ?? 0) === (got.spec.replicas ?? 1);
                return ready ? true : undefined;
            },
            START_TIMEOUT_MS,
        );
    }
}

export type { AuditEvent } from "./audit";
