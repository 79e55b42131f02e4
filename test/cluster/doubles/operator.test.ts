import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calicoSnapshotFrom } from "../../../tools/kube/cluster-objects";
import { pendingSwitch } from "../../../core/convergence";
import { field } from "../../../core/unstructured";
import {
    BPF_ANNOTATION,
    bpfEnabledPatch,
    nextEndpoint,
    nftablesModePatch,
    renderCalicoNodeTemplate,
    renderEndpointEnv,
    rolloutCompleteWithBpfVolumes,
    sameJson,
    tigeraStatusConditions,
    type TigeraCondition,
} from "./operator";

const installation = (linuxDataplane: string | undefined, generation = 3) => ({
    metadata: { name: "default", generation },
    spec: { calicoNetwork: linuxDataplane === undefined ? {} : { linuxDataplane } },
});

/** calico-node's template as the harness lays it down for iptables (no BPF parts). */
const iptablesTemplate = {
    metadata: { labels: { "k8s-app": "calico-node" } },
    spec: {
        containers: [
            {
                name: "calico-node",
                image: "mcr.microsoft.com/oss/calico/node:v3.30.3",
                env: [{ name: "DATASTORE_TYPE", value: "kubernetes" }],
                volumeMounts: [{ mountPath: "/var/run/calico", name: "var-run-calico" }],
            },
        ],
        volumes: [{ name: "var-run-calico", hostPath: { path: "/var/run/calico", type: "" } }],
    },
};

const names = (items: unknown): unknown[] =>
    Array.isArray(items) ? items.map((item) => field(item, "name")) : [];

describe("nftablesModePatch (setNftablesMode)", () => {
    it("operator 1.38: BPF means nftables Disabled; 1.40: BPF means Enabled", () => {
        assert.deepEqual(nftablesModePatch("1.38", installation("BPF"), { spec: {} }), {
            spec: { nftablesMode: "Disabled" },
        });
        assert.deepEqual(nftablesModePatch("1.40", installation("BPF"), { spec: {} }), {
            spec: { nftablesMode: "Enabled" },
        });
        assert.deepEqual(nftablesModePatch("1.40", installation("Iptables"), { spec: {} }), {
            spec: { nftablesMode: "Disabled" },
        });
    });
    it("writes nothing when FelixConfiguration already says so, or linuxDataplane is unset", () => {
        const fc = { spec: { nftablesMode: "Enabled" } };
        assert.equal(nftablesModePatch("1.40", installation("BPF"), fc), undefined);
        assert.equal(nftablesModePatch("1.40", installation(undefined), { spec: {} }), undefined);
    });
});

describe("renderCalicoNodeTemplate", () => {
    it("1.38: BPF adds mount-bpffs, the BPF volumes and the bpffs mount; iptables takes them away again", () => {
        const bpf = renderCalicoNodeTemplate(iptablesTemplate, {
            version: "1.38",
            bpf: true,
            endpoint: undefined,
        });
        assert.deepEqual(names(field(bpf, "spec", "initContainers")), ["mount-bpffs"]);
        assert.deepEqual(field(bpf, "spec", "initContainers", "0", "command"), [
            "calico-node",
            "-init",
        ]);
        assert.deepEqual(names(field(bpf, "spec", "volumes")), [
            "var-run-calico",
            "sys-fs",
            "bpffs",
            "nodeproc",
        ]);
        assert.ok(names(field(bpf, "spec", "containers", "0", "volumeMounts")).includes("bpffs"));
        const back = renderCalicoNodeTemplate(bpf, {
            version: "1.38",
            bpf: false,
            endpoint: undefined,
        });
        assert.ok(sameJson(back, iptablesTemplate), JSON.stringify(back));
    });

    it("1.40: ebpf-bootstrap in both modes, best-effort unless BPF: the flip still changes the template", () => {
        const render = (bpf: boolean, template: unknown = iptablesTemplate) =>
            renderCalicoNodeTemplate(template, { version: "1.40", bpf, endpoint: undefined });
        const iptables = render(false);
        const bpf = render(true, iptables);
        assert.deepEqual(field(iptables, "spec", "initContainers", "0", "command"), [
            "calico-node",
            "-init",
            "-best-effort",
        ]);
        assert.deepEqual(field(bpf, "spec", "initContainers", "0", "command"), [
            "calico-node",
            "-init",
        ]);
        assert.deepEqual(names(field(bpf, "spec", "initContainers")), ["ebpf-bootstrap"]);
        assert.ok(!sameJson(iptables, bpf));
        assert.ok(sameJson(render(false, bpf), iptables));
    });

    it("is a fixed point: rendering what it rendered (with the API server's defaults) changes nothing", () => {
        const once = renderCalicoNodeTemplate(iptablesTemplate, {
            version: "1.38",
            bpf: true,
            endpoint: { host: "127.0.0.1", port: "6443" },
        });
        const defaulted = structuredClone(once);
        const init = field(defaulted, "spec", "initContainers", "0") as Record<string, unknown>;
        init.terminationMessagePath = "/dev/termination-log";
        const twice = renderCalicoNodeTemplate(defaulted, {
            version: "1.38",
            bpf: true,
            endpoint: { host: "127.0.0.1", port: "6443" },
        });
        assert.ok(sameJson(twice, defaulted));
    });

    it("puts the endpoint ConfigMap's host and port into calico-node's env, and updates them in place", () => {
        const first = renderCalicoNodeTemplate(iptablesTemplate, {
            version: "1.38",
            bpf: false,
            endpoint: { host: "lab.hcp.westeurope.azmk8s.io", port: "443" },
        });
        const env = field(first, "spec", "containers", "0", "env");
        assert.deepEqual(env, [
            { name: "DATASTORE_TYPE", value: "kubernetes" },
            { name: "KUBERNETES_SERVICE_HOST", value: "lab.hcp.westeurope.azmk8s.io" },
            { name: "KUBERNETES_SERVICE_PORT", value: "443" },
        ]);
        const moved = renderCalicoNodeTemplate(first, {
            version: "1.38",
            bpf: false,
            endpoint: { host: "127.0.0.1", port: "6443" },
        });
        assert.equal(field(moved, "spec", "containers", "0", "env", "1", "value"), "127.0.0.1");
        const halfSet = renderCalicoNodeTemplate(iptablesTemplate, {
            version: "1.38",
            bpf: false,
            endpoint: { host: "127.0.0.1", port: "" },
        });
        assert.ok(sameJson(halfSet, iptablesTemplate), "EnvVars needs both host and port");
    });

    it("typha and kube-controllers get the same env on their own container", () => {
        const template = { spec: { containers: [{ name: "calico-typha", env: [] }] } };
        const rendered = renderEndpointEnv(template, "calico-typha", { host: "h", port: "1" });
        assert.deepEqual(names(field(rendered, "spec", "containers", "0", "env")), [
            "KUBERNETES_SERVICE_HOST",
            "KUBERNETES_SERVICE_PORT",
        ]);
    });
});

describe("nextEndpoint (PopulateK8sServiceEndPoint)", () => {
    it("takes the ConfigMap's values, and keeps the last ones when it is gone", () => {
        const endpoint = nextEndpoint(undefined, {
            KUBERNETES_SERVICE_HOST: "h",
            KUBERNETES_SERVICE_PORT: "443",
        });
        assert.deepEqual(endpoint, { host: "h", port: "443" });
        assert.deepEqual(nextEndpoint(endpoint, undefined), endpoint);
    });
});

const daemonSet = (status: Record<string, number>, generation = 2, bpffs = true) => ({
    metadata: { generation },
    spec: {
        template: {
            spec: { volumes: bpffs ? [{ name: "bpffs" }] : [{ name: "var-run-calico" }] },
        },
    },
    status,
});
const rolledOut = {
    observedGeneration: 2,
    desiredNumberScheduled: 2,
    currentNumberScheduled: 2,
    updatedNumberScheduled: 2,
    numberAvailable: 2,
};

describe("rolloutCompleteWithBpfVolumes", () => {
    it("needs the current generation observed, the bpffs volume and every pod updated and available", () => {
        assert.equal(rolloutCompleteWithBpfVolumes(daemonSet(rolledOut)), true);
        assert.equal(
            rolloutCompleteWithBpfVolumes(daemonSet({ ...rolledOut, observedGeneration: 1 })),
            false,
        );
        assert.equal(rolloutCompleteWithBpfVolumes(daemonSet(rolledOut, 2, false)), false);
        assert.equal(
            rolloutCompleteWithBpfVolumes(daemonSet({ ...rolledOut, updatedNumberScheduled: 1 })),
            false,
        );
    });
});

describe("bpfEnabledPatch (setBPFUpdatesOnFelixConfiguration)", () => {
    const fc = (bpfEnabled: boolean | undefined, annotation?: string) => ({
        metadata: { annotations: annotation === undefined ? {} : { [BPF_ANNOTATION]: annotation } },
        spec: bpfEnabled === undefined ? {} : { bpfEnabled },
    });
    it("towards BPF: nothing until the rollout is complete, then bpfEnabled true with the annotation", () => {
        const rolling = daemonSet({ ...rolledOut, updatedNumberScheduled: 1 });
        assert.deepEqual(bpfEnabledPatch(installation("BPF"), fc(false, "false"), rolling), {
            kind: "none",
        });
        assert.deepEqual(
            bpfEnabledPatch(installation("BPF"), fc(false, "false"), daemonSet(rolledOut)),
            {
                kind: "patch",
                patch: {
                    metadata: { annotations: { [BPF_ANNOTATION]: "true" } },
                    spec: { bpfEnabled: true },
                },
            },
        );
    });
    it("away from BPF: false at once, whatever the rollout", () => {
        const rolling = daemonSet({ ...rolledOut, updatedNumberScheduled: 0 });
        const update = bpfEnabledPatch(installation("Iptables"), fc(true, "true"), rolling);
        assert.equal(update.kind, "patch");
        assert.equal(field(update, "patch", "spec", "bpfEnabled"), false);
        assert.deepEqual(bpfEnabledPatch(installation("Iptables"), fc(false, "false"), rolling), {
            kind: "none",
        });
    });
    it("refuses when someone else set bpfEnabled (annotation and field disagree)", () => {
        const update = bpfEnabledPatch(installation("BPF"), fc(false), daemonSet(rolledOut));
        assert.equal(update.kind, "error");
        assert.match(field(update, "message") as string, /modified by someone else/);
        assert.equal(
            bpfEnabledPatch(installation("Iptables"), fc(true, "false"), daemonSet(rolledOut)).kind,
            "error",
        );
    });
    it("a fresh FelixConfiguration (neither set) is the operator's to write", () => {
        assert.equal(
            bpfEnabledPatch(installation("Iptables"), fc(undefined), daemonSet(rolledOut)).kind,
            "patch",
        );
    });
});

describe("tigeraStatusConditions (status manager)", () => {
    const now = new Date("2026-12-03T10:00:00Z");
    const dsKey = "calico-system/calico-node";
    const input = (
        status: Record<string, number>,
        degraded?: { reason: string; message: string },
    ) => ({
        daemonSets: [{ key: dsKey, object: daemonSet(status) }],
        degraded,
        observedGeneration: 4,
        now,
    });
    it("a rolling DaemonSet: Progressing with status.go's message, not Available", () => {
        const conditions =
            tigeraStatusConditions([], input({ ...rolledOut, updatedNumberScheduled: 1 })) ?? [];
        assert.deepEqual(
            conditions.map((c) => [c.type, c.status, c.observedGeneration]),
            [
                ["Available", "False", 4],
                ["Progressing", "True", 4],
                ["Degraded", "False", 4],
            ],
        );
        const [, progressing] = conditions;
        assert.equal(
            progressing?.message,
            'DaemonSet "calico-system/calico-node" update is rolling out (1 out of 2 updated)',
        );
    });
    it("rolled out: Available; unchanged conditions are not written again; a flip moves lastTransitionTime", () => {
        const available = tigeraStatusConditions([], input(rolledOut)) ?? [];
        assert.deepEqual(
            available.map((c) => [c.status, c.reason]),
            [
                ["True", "AllObjectsAvailable"],
                ["False", "AllObjectsAvailable"],
                ["False", "AllObjectsAvailable"],
            ],
        );
        const reordered = available.map(
            (c) => JSON.parse(JSON.stringify(c, Object.keys(c).sort())) as TigeraCondition,
        );
        assert.equal(tigeraStatusConditions(reordered, input(rolledOut)), undefined);
        const later = {
            ...input({ ...rolledOut, numberUnavailable: 1 }),
            now: new Date("2026-12-03T10:05:00Z"),
        };
        const next = tigeraStatusConditions(available, later) ?? [];
        assert.equal(next[0]?.lastTransitionTime, "2026-12-03T10:05:00Z");
        assert.equal(next[2]?.lastTransitionTime, available[2]?.lastTransitionTime);
    });
    it("degraded: Degraded True with the reason, and the lab's wait names it", () => {
        const conditions =
            tigeraStatusConditions(
                [],
                input(rolledOut, {
                    reason: "ResourceUpdateError",
                    message: "Error updating resource: x",
                }),
            ) ?? [];
        const snapshot = calicoSnapshotFrom({
            installation: installation("BPF", 4),
            felixConfiguration: { spec: { bpfEnabled: true } },
            calicoNodeDaemonSet: daemonSet(rolledOut),
            tigeraStatus: { status: { conditions } },
        });
        const pending = pendingSwitch("bpf", snapshot);
        assert.ok(
            pending.some((line) => line.includes("Degraded is True: Error updating resource: x")),
            pending.join("\n"),
        );
    });
});
