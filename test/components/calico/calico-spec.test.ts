import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    AZURE_BPF_DATA_IFACE_PATTERN,
    endpointConfigMapData,
    felixConfigurationSpec,
    installationSpec,
    switchOrder,
} from "../../../components/calico/calico-spec";
import { FELIX_CONFIGURATION, INSTALLATION } from "../../../core/calico-objects";
import { DATAPLANES } from "../../../core/dataplane";
import {
    CRD_SETS,
    crdSetsAvailable,
    crdValidator,
    describeErrors,
    FELIX_CRD_FILE,
    INSTALLATION_CRD_FILE,
} from "../../support/crd-schema";

const tunnel = { bpfExternalServiceMode: "Tunnel", wireguard: false } as const;

describe("felixConfigurationSpec", () => {
    it("under eBPF: no kube-proxy cleanup, the forwarding mode, a pattern without enP, WireGuard off", () => {
        assert.deepEqual(
            felixConfigurationSpec("bpf", { bpfExternalServiceMode: "DSR", wireguard: false }),
            {
                bpfKubeProxyIptablesCleanupEnabled: false,
                bpfExternalServiceMode: "DSR",
                bpfDataIfacePattern: AZURE_BPF_DATA_IFACE_PATTERN,
                wireguardEnabled: false,
            },
        );
    });

    it("under iptables: only WireGuard, from config; the BPF-only fields are relinquished", () => {
        assert.deepEqual(felixConfigurationSpec("iptables", tunnel), { wireguardEnabled: false });
        assert.deepEqual(felixConfigurationSpec("iptables", { ...tunnel, wireguard: true }), {
            wireguardEnabled: true,
        });
    });

    it("never sets the operator-owned bpfEnabled", () => {
        for (const dataplane of DATAPLANES) {
            assert.ok(!("bpfEnabled" in felixConfigurationSpec(dataplane, tunnel)));
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
    it("points Calico at the API server's FQDN on 443", () => {
        assert.deepEqual(endpointConfigMapData("x.hcp.eastus.azmk8s.io"), {
            KUBERNETES_SERVICE_HOST: "x.hcp.eastus.azmk8s.io",
            KUBERNETES_SERVICE_PORT: "443",
        });
    });
});

describe("switchOrder", () => {
    it("to eBPF: Felix settings before the Installation, then wait, then restart DNS", () => {
        assert.deepEqual(switchOrder("bpf"), ["felix", "installation", "wait", "restartDns"]);
    });
    it("to iptables: the Installation first, wait, then relinquish Felix settings, then restart DNS", () => {
        assert.deepEqual(switchOrder("iptables"), ["installation", "wait", "felix", "restartDns"]);
    });
});

describe("the specs against both CRD schema sets", { skip: !crdSetsAvailable() }, () => {
    for (const set of CRD_SETS) {
        const felix = crdValidator(set, FELIX_CRD_FILE, { partial: true });
        const installation = crdValidator(set, INSTALLATION_CRD_FILE, { partial: true });
        for (const dataplane of DATAPLANES) {
            for (const settings of [
                tunnel,
                { bpfExternalServiceMode: "DSR", wireguard: true } as const,
            ]) {
                it(`${set.label}: FelixConfiguration for ${dataplane} ${JSON.stringify(settings)}`, () => {
                    const object = {
                        apiVersion: FELIX_CONFIGURATION.apiVersion,
                        kind: FELIX_CONFIGURATION.kind,
                        metadata: { name: FELIX_CONFIGURATION.name },
                        spec: felixConfigurationSpec(dataplane, settings),
                    };
                    assert.ok(felix(object), describeErrors(felix));
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
