import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    AZURE_BPF_DATA_IFACE_PATTERN,
    BPF_KUBE_PROXY_HEALTHZ_PORT,
    connectTimeLoadBalancingSpec,
    endpointConfigMapData,
    felixConfigurationSpec,
    FIELD_MANAGER,
    installationSpec,
    LINUX_DATAPLANE_PATH,
    stepTriggers,
    switchAppliedAt,
    switchOrder,
    calicoReadyStep,
    calicoReadyTriggers,
} from "../../../components/calico/calico-spec";
import {
    FELIX_CONFIGURATION,
    INSTALLATION,
    KUBE_PROXY_HEALTHZ_PORT_FIELDS,
} from "../../../core/calico-objects";
import { DATAPLANES } from "../../../core/dataplane";
import { kubeProxyHealthzPortField } from "../../../core/felix-schema";
import { installationMetadata } from "../../support/managed-fields";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    describeErrors,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
    readCrd,
} from "../../support/crd-schema";

const tunnel = { bpfExternalServiceMode: "Tunnel", wireguard: false } as const;

describe("felixConfigurationSpec", () => {
    it("under eBPF: no kube-proxy cleanup, the forwarding mode, a pattern without enP, WireGuard off", () => {
        assert.deepEqual(
            felixConfigurationSpec(
                "bpf",
                { bpfExternalServiceMode: "DSR", wireguard: false },
                undefined,
            ),
            {
                bpfKubeProxyIptablesCleanupEnabled: false,
                bpfExternalServiceMode: "DSR",
                bpfDataIfacePattern: AZURE_BPF_DATA_IFACE_PATTERN,
                wireguardEnabled: false,
            },
        );
    });

    it("under eBPF: moves kube-proxy's health check to 10258 under the field's spelling, if the CRD has one", () => {
        assert.equal(BPF_KUBE_PROXY_HEALTHZ_PORT, 10258);
        for (const field of KUBE_PROXY_HEALTHZ_PORT_FIELDS) {
            const spec: Record<string, unknown> = felixConfigurationSpec("bpf", tunnel, field);
            assert.equal(spec[field], 10258);
            const others = KUBE_PROXY_HEALTHZ_PORT_FIELDS.filter((f) => f !== field);
            for (const other of others) assert.ok(!(other in spec), other);
        }
        const none: Record<string, unknown> = felixConfigurationSpec("bpf", tunnel, undefined);
        for (const field of KUBE_PROXY_HEALTHZ_PORT_FIELDS) assert.ok(!(field in none), field);
    });

    it("under iptables: only WireGuard, from config; the BPF-only fields are relinquished", () => {
        for (const field of [undefined, ...KUBE_PROXY_HEALTHZ_PORT_FIELDS]) {
            assert.deepEqual(felixConfigurationSpec("iptables", tunnel, field), {
                wireguardEnabled: false,
            });
        }
        assert.deepEqual(
            felixConfigurationSpec("iptables", { ...tunnel, wireguard: true }, undefined),
            { wireguardEnabled: true },
        );
    });

    it("never sets the operator-owned bpfEnabled or nftablesMode", () => {
        for (const dataplane of DATAPLANES) {
            const spec = felixConfigurationSpec(dataplane, tunnel, "bpfKubeProxyHealthzPort");
            assert.ok(!("bpfEnabled" in spec));
            assert.ok(!("nftablesMode" in spec));
        }
    });

    it("uses a data-interface pattern that takes eth0 and bonds but not Azure's enP VF", () => {
        const pattern = new RegExp(AZURE_BPF_DATA_IFACE_PATTERN);
        for (const iface of ["eth0", "eth1", "bond0", "ens5", "enp1s0"])
            assert.match(iface, pattern);
        for (const iface of [
            "enP30832s1",
            "enP1p1s0f1",
            "azv1234",
            "cali12ab",
            "lo",
            "vxlan.calico",
        ]) {
            assert.doesNotMatch(iface, pattern);
        }
    });
});

describe("installationSpec", () => {
    it("maps the dataplane to linuxDataplane and sets nothing else", () => {
        assert.deepEqual(installationSpec("bpf"), { calicoNetwork: { linuxDataplane: "BPF" } });
        assert.deepEqual(installationSpec("iptables"), {
            calicoNetwork: { linuxDataplane: "Iptables" },
        });
    });
});

describe("endpointConfigMapData", () => {
    it("points Calico at the API server's host and port", () => {
        assert.deepEqual(endpointConfigMapData({ host: "x.hcp.eastus.azmk8s.io", port: 443 }), {
            KUBERNETES_SERVICE_HOST: "x.hcp.eastus.azmk8s.io",
            KUBERNETES_SERVICE_PORT: "443",
        });
        assert.deepEqual(endpointConfigMapData({ host: "10.0.0.1", port: 6443 }), {
            KUBERNETES_SERVICE_HOST: "10.0.0.1",
            KUBERNETES_SERVICE_PORT: "6443",
        });
    });
});

describe("connectTimeLoadBalancingSpec", () => {
    it("disables the connect-time load balancer for iptables and hands it back for eBPF", () => {
        assert.deepEqual(connectTimeLoadBalancingSpec("iptables"), {
            bpfConnectTimeLoadBalancing: "Disabled",
        });
        assert.equal(connectTimeLoadBalancingSpec("bpf"), undefined);
    });
});

describe("switchOrder", () => {
    it("to eBPF: the endpoint ConfigMap, hand back connect-time LB, Felix settings, then the Installation, wait, restart DNS", () => {
        assert.deepEqual(switchOrder("bpf"), [
            "endpoint",
            "ctlb",
            "felix",
            "installation",
            "wait",
            "restartDns",
        ]);
    });
    it("to iptables: no ConfigMap (it would roll calico-node on an up that stays on iptables); disable and detach connect-time LB, then the Installation, wait, relinquish Felix, restart DNS", () => {
        assert.deepEqual(switchOrder("iptables"), [
            "ctlb",
            "waitCtlb",
            "installation",
            "wait",
            "felix",
            "restartDns",
        ]);
    });
});

describe("the first step, once per cluster", () => {
    it("fails at once on a cluster the lab did not create, waits on one it created", () => {
        assert.equal(calicoReadyStep(true), "wait-calico --existing");
        assert.equal(calicoReadyStep(false), "wait-calico");
    });
    it("names the cluster in its triggers, so a new cluster runs it again", () => {
        const api = { host: "lab-1a2b.hcp.eastus.azmk8s.io", port: 443 };
        const first = calicoReadyTriggers(
            "/subscriptions/s/resourceGroups/g/providers/x/lab-aks-1",
            api,
        );
        assert.deepEqual(first, [
            "/subscriptions/s/resourceGroups/g/providers/x/lab-aks-1",
            "lab-1a2b.hcp.eastus.azmk8s.io:443",
        ]);
        assert.notDeepEqual(
            calicoReadyTriggers("kube-system/u2", api),
            calicoReadyTriggers("kube-system/u1", api),
        );
        assert.notDeepEqual(
            calicoReadyTriggers("kube-system/u1", { host: "10.0.0.1", port: 6443 }),
            calicoReadyTriggers("kube-system/u1", { host: "10.0.0.2", port: 6443 }),
        );
    });
});

const INSTALLATION_PATCH_URN =
    "urn:pulumi:test::aks-calico-lab::aks-calico-lab:index:CalicoDataplane$kubernetes:operator.tigera.io/v1:InstallationPatch::lab-calico-installation";

describe("stepTriggers, from what the Installation patch applied", () => {
    const triggersAfter = (metadata: unknown) =>
        stepTriggers(
            "iptables",
            switchAppliedAt(metadata, LINUX_DATAPLANE_PATH, FIELD_MANAGER, INSTALLATION_PATCH_URN),
        );

    it("fail, then revert: the revert's apply changes the triggers a failed wait left in state", () => {
        // A successful iptables up recorded the wait with these triggers.
        const recorded = triggersAfter(
            installationMetadata("2026-11-23T09:00:00Z", "2026-11-23T09:05:00Z", "100"),
        );
        // The flip to bpf applied at 10:00, its wait failed: no state for the new Command, so
        // `recorded` stays. Flipping back applies linuxDataplane again, at 10:30.
        const reverted = triggersAfter(
            installationMetadata("2026-11-23T10:30:00Z", "2026-11-23T10:31:00Z", "150"),
        );
        assert.notDeepEqual(reverted, recorded);
        assert.deepEqual(reverted, ["iptables", "2026-11-23T10:30:00Z"]);
    });

    it("no change: a second up, or a refresh that reads back only the operator's writes, keeps them", () => {
        const applied = installationMetadata("2026-11-23T10:30:00Z", "2026-11-23T10:31:00Z", "150");
        const refreshed = installationMetadata(
            "2026-11-23T10:30:00Z",
            "2026-11-23T13:02:17Z",
            "9931",
        );
        assert.deepEqual(triggersAfter(refreshed), triggersAfter(applied));
    });

    it("keys on the dataplane too", () => {
        assert.deepEqual(stepTriggers("bpf", "2026-11-23T10:30:00Z"), [
            "bpf",
            "2026-11-23T10:30:00Z",
        ]);
    });
});

describe("switchAppliedAt: never an empty --since", () => {
    /** Another manager took linuxDataplane (kubectl edit), and a refresh read that back. */
    const takenOver = () => {
        const metadata = installationMetadata(
            "2026-11-23T10:30:00Z",
            "2026-11-23T10:31:00Z",
            "150",
        );
        const entries = metadata.managedFields.map((entry) =>
            entry.manager === FIELD_MANAGER
                ? {
                      ...entry,
                      fieldsV1: {
                          "f:metadata": { "f:annotations": { "f:pulumi.com/patchForce": {} } },
                      },
                  }
                : entry,
        );
        const edit = {
            manager: "kubectl-edit",
            operation: "Update",
            apiVersion: "operator.tigera.io/v1",
            time: "2026-11-24T08:00:00Z",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:spec": { "f:calicoNetwork": { "f:linuxDataplane": {} } } },
        };
        return { ...metadata, managedFields: [...entries, edit] };
    };

    it("returns the time of the lab's apply", () => {
        const metadata = installationMetadata(
            "2026-11-23T10:30:00Z",
            "2026-11-23T10:31:00Z",
            "150",
        );
        assert.equal(
            switchAppliedAt(metadata, LINUX_DATAPLANE_PATH, FIELD_MANAGER, INSTALLATION_PATCH_URN),
            "2026-11-23T10:30:00Z",
        );
    });

    it("stops the program in one line naming who holds the field and how to apply the patch again", () => {
        assert.throws(
            () =>
                switchAppliedAt(
                    takenOver(),
                    LINUX_DATAPLANE_PATH,
                    FIELD_MANAGER,
                    INSTALLATION_PATCH_URN,
                ),
            (error: unknown) => {
                assert.ok(pulumi.RunError.isInstance(error), "a RunError, printed without a stack");
                assert.equal(
                    error.message,
                    "spec.calicoNetwork.linuxDataplane of Installation patch lab-calico-installation is held by " +
                        "operator (Update), kubectl-edit (Update), not by the lab's apply (aks-calico-lab), so the " +
                        "lab cannot tell when its switch was applied: run " +
                        `\`pulumi up --target-replace '${INSTALLATION_PATCH_URN}'\` to apply the patch again`,
                );
                assert.doesNotMatch(error.message, /\n/);
                return true;
            },
        );
    });

    it("refuses an empty or malformed time as well as a missing one", () => {
        const metadata = installationMetadata("", "2026-11-23T10:31:00Z", "150");
        assert.throws(
            () =>
                switchAppliedAt(
                    metadata,
                    LINUX_DATAPLANE_PATH,
                    FIELD_MANAGER,
                    INSTALLATION_PATCH_URN,
                ),
            /linuxDataplane of Installation patch lab-calico-installation: the lab's apply carries no time \(""\), .*--target-replace/,
        );
        assert.throws(
            () => switchAppliedAt({}, LINUX_DATAPLANE_PATH, FIELD_MANAGER, INSTALLATION_PATCH_URN),
            /is held by no field manager/,
        );
    });
});

describe("the specs against every CRD schema set", { skip: !crdSetsAvailable() }, () => {
    for (const set of CRD_SETS) {
        const felix = crdValidator(set, FELIX_CRD_FILE, { partial: true });
        const installation = crdValidator(set, INSTALLATION_CRD_FILE, { partial: true });
        const healthzField = kubeProxyHealthzPortField(readCrd(set, FELIX_CRD_FILE).spec);
        const felixObject = (spec: object | undefined) => ({
            apiVersion: FELIX_CONFIGURATION.apiVersion,
            kind: FELIX_CONFIGURATION.kind,
            metadata: { name: FELIX_CONFIGURATION.name },
            ...(spec === undefined ? {} : { spec }),
        });
        for (const dataplane of DATAPLANES) {
            it(`${set.label}: connect-time load balancing for ${dataplane}`, () => {
                const object = felixObject(connectTimeLoadBalancingSpec(dataplane));
                assert.ok(felix(object), describeErrors(felix));
            });
            for (const settings of [
                tunnel,
                { bpfExternalServiceMode: "DSR", wireguard: true } as const,
            ]) {
                it(`${set.label}: FelixConfiguration for ${dataplane} ${JSON.stringify(settings)}`, () => {
                    const spec = felixConfigurationSpec(dataplane, settings, healthzField);
                    assert.ok(felix(felixObject(spec)), describeErrors(felix));
                });
            }
            it(`${set.label}: Installation for ${dataplane}`, () => {
                const object = {
                    apiVersion: INSTALLATION.apiVersion,
                    kind: INSTALLATION.kind,
                    metadata: { name: INSTALLATION.name },
                    spec: installationSpec(dataplane),
                };
                assert.ok(installation(object), describeErrors(installation));
            });
        }
    }
});
