import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { environmentFrom, imageTag, kubeProxyModeOf } from "../../../tools/kube/environment";
import { bpfClusterObjects, environmentObjectsOf } from "../../support/fixtures";

const recorded = () => environmentObjectsOf(bpfClusterObjects());

describe("environmentFrom (recorded-shape objects)", () => {
    it("reads versions, Felix's modes, kube-proxy's mode and every node", () => {
        const environment = environmentFrom(recorded());
        assert.equal(environment.calicoVersion, "v3.30.3");
        assert.equal(environment.operatorVersion, "v1.40.2");
        assert.equal(environment.nftablesMode, "Disabled");
        assert.equal(environment.kubeProxyHealthzPort, undefined);
        assert.deepEqual(environment.kubeProxyMode, { mode: "iptables", source: "default" });
        assert.equal(environment.nodes.length, 2);
        assert.deepEqual(environment.nodes[1], {
            name: "aks-system-12345678-vmss000001",
            osImage: "Ubuntu 24.04.3 LTS",
            kernelVersion: "6.8.0-1041-azure",
            kubeletVersion: "v1.36.2",
            containerRuntimeVersion: "containerd://1.7.29-1",
            instanceType: "Standard_D2s_v3",
            nodeImageVersion: "AKSUbuntu-2404gen2containerd-202611.10.0",
        });
    });
    it("reports the healthz port under whichever spelling the spec carries", () => {
        for (const name of ["bpfKubeProxyHealthzPort", "bpfKubeProxyHealtzPort"] as const) {
            const objects = recorded();
            const felix = structuredClone(objects.felixConfiguration) as {
                spec: Record<string, unknown>;
            };
            felix.spec[name] = 10258;
            assert.deepEqual(
                environmentFrom({ ...objects, felixConfiguration: felix }).kubeProxyHealthzPort,
                {
                    field: name,
                    port: 10258,
                },
            );
        }
    });
    it("leaves out what the cluster does not have", () => {
        const environment = environmentFrom({
            installation: undefined,
            felixConfiguration: undefined,
            operatorDeployment: undefined,
            kubeProxyDaemonSet: undefined,
            nodes: [],
        });
        assert.deepEqual(environment, {
            calicoVersion: undefined,
            operatorImage: undefined,
            operatorVersion: undefined,
            nftablesMode: undefined,
            kubeProxyHealthzPort: undefined,
            kubeProxyMode: undefined,
            nodes: [],
        });
    });
});

describe("kubeProxyModeOf", () => {
    const withCommand = (command: string[], args?: string[]) => ({
        spec: {
            template: {
                spec: { containers: [{ name: "kube-proxy", command, ...(args && { args }) }] },
            },
        },
    });
    it("takes --proxy-mode in either form, from command or args", () => {
        assert.deepEqual(kubeProxyModeOf(withCommand(["kube-proxy", "--proxy-mode=ipvs"])), {
            mode: "ipvs",
            source: "flag",
        });
        assert.deepEqual(
            kubeProxyModeOf(withCommand(["kube-proxy"], ["--proxy-mode", "nftables"])),
            {
                mode: "nftables",
                source: "flag",
            },
        );
        assert.deepEqual(
            kubeProxyModeOf(withCommand(["/bin/sh", "-c", "kube-proxy --v=3 --proxy-mode=ipvs"])),
            {
                mode: "ipvs",
                source: "flag",
            },
        );
    });
    it("calls a config file's mode unknown rather than guessing", () => {
        assert.equal(
            kubeProxyModeOf(
                withCommand(["kube-proxy", "--config=/var/lib/kube-proxy/config.conf"]),
            ),
            undefined,
        );
    });
});

describe("imageTag", () => {
    it("takes the tag, not a registry port or a digest", () => {
        assert.equal(imageTag("quay.io/tigera/operator:v1.38.6"), "v1.38.6");
        assert.equal(imageTag("registry:5000/tigera/operator:v1.40.2@sha256:abc"), "v1.40.2");
        assert.equal(imageTag("registry:5000/tigera/operator"), undefined);
    });
});
