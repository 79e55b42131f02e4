import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    apiServerEnv,
    configVolumeMounts,
    felixEnv,
    kubeletEnv,
    translateMountedPaths,
    type ApiServerRoute,
} from "./pod-env";

const pod = (env: unknown[], envFrom: unknown[] = []) => ({
    metadata: { name: "calico-node-abcde" },
    spec: {
        nodeName: "aks-nodepool1-12345678-vmss000000",
        containers: [{ name: "other" }, { name: "calico-node", env, envFrom }],
    },
});
const service = { host: "10.0.0.1", port: "443" };
const route: ApiServerRoute = {
    aliases: ["10.0.0.1:443", "127.0.0.1:6443"],
    host: "10.224.0.1",
    port: "443",
};

describe("the calico-node container's environment, as the kubelet builds it", () => {
    it("injects the kubernetes Service's address, under what the container sets itself", () => {
        const plain = kubeletEnv({
            pod: pod([]),
            container: "calico-node",
            configMaps: new Map(),
            kubernetesService: service,
        });
        assert.equal(plain["KUBERNETES_SERVICE_HOST"], "10.0.0.1");
        const own = kubeletEnv({
            pod: pod([
                { name: "KUBERNETES_SERVICE_HOST", value: "lab-aks.hcp.eastus.azmk8s.io" },
                { name: "KUBERNETES_SERVICE_PORT", value: "443" },
            ]),
            container: "calico-node",
            configMaps: new Map(),
            kubernetesService: service,
        });
        assert.equal(own["KUBERNETES_SERVICE_HOST"], "lab-aks.hcp.eastus.azmk8s.io");
    });

    it("resolves field references and ConfigMaps; env wins over envFrom; a missing required ConfigMap throws", () => {
        const env = kubeletEnv({
            pod: pod(
                [
                    { name: "NODENAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                    { name: "A", value: "from env" },
                    { name: "B", valueFrom: { configMapKeyRef: { name: "m", key: "b" } } },
                ],
                [
                    { configMapRef: { name: "m" } },
                    { configMapRef: { name: "absent", optional: true } },
                ],
            ),
            container: "calico-node",
            configMaps: new Map([["m", { A: "from map", b: "bee" }]]),
            kubernetesService: service,
        });
        assert.equal(env["NODENAME"], "aks-nodepool1-12345678-vmss000000");
        assert.equal(env["A"], "from env");
        assert.equal(env["B"], "bee");
        assert.throws(
            () =>
                kubeletEnv({
                    pod: pod([], [{ configMapRef: { name: "absent" } }]),
                    container: "calico-node",
                    configMaps: new Map(),
                    kubernetesService: service,
                }),
            /envFrom ConfigMap absent not found/,
        );
    });
});

describe("Felix's environment under runit, with the API server as the node reaches it", () => {
    it("maps NODENAME and DATASTORE_TYPE as felix/run does, and the API server's address to the hub's", () => {
        const env = felixEnv(
            {
                NODENAME: "n0",
                DATASTORE_TYPE: "kubernetes",
                KUBERNETES_SERVICE_HOST: "127.0.0.1",
                KUBERNETES_SERVICE_PORT: "6443",
            },
            route,
        );
        assert.equal(env["FELIX_FELIXHOSTNAME"], "n0");
        assert.equal(env["FELIX_DATASTORETYPE"], "kubernetes");
        assert.equal(env["KUBERNETES_SERVICE_HOST"], "10.224.0.1");
        assert.equal(env["KUBERNETES_SERVICE_PORT"], "443");
    });

    it("refuses an address that is not the API server's, rather than send Felix elsewhere", () => {
        assert.throws(
            () =>
                felixEnv(
                    { KUBERNETES_SERVICE_HOST: "10.0.0.9", KUBERNETES_SERVICE_PORT: "443" },
                    route,
                ),
            /10\.0\.0\.9:443 is neither/,
        );
    });
});

describe("a container's Secret and ConfigMap volumes, as the operator renders Typha's TLS", () => {
    const typha = {
        spec: {
            volumes: [
                { name: "tigera-ca-bundle", configMap: { name: "tigera-ca-bundle" } },
                {
                    name: "typha-certs",
                    secret: {
                        secretName: "typha-certs",
                        items: [{ key: "tls.crt", path: "cert.pem" }],
                    },
                },
                { name: "var-run", hostPath: { path: "/var/run" } },
            ],
            containers: [
                {
                    name: "calico-typha",
                    volumeMounts: [
                        { name: "tigera-ca-bundle", mountPath: "/etc/pki/tls/certs" },
                        { name: "typha-certs", mountPath: "/typha-certs", readOnly: true },
                        { name: "var-run", mountPath: "/var/run" },
                    ],
                },
            ],
        },
    };

    it("lists the mounts of Secrets and ConfigMaps with their items, and no host folder", () => {
        const mounts = configVolumeMounts(typha, "calico-typha");
        assert.deepEqual(
            mounts.map((m) => [m.mountPath, m.source.kind, m.source.name]),
            [
                ["/etc/pki/tls/certs", "configMap", "tigera-ca-bundle"],
                ["/typha-certs", "secret", "typha-certs"],
            ],
        );
        assert.equal(mounts[0]?.items, undefined);
        assert.deepEqual([...(mounts[1]?.items ?? [])], [["tls.crt", "cert.pem"]]);
        assert.deepEqual(configVolumeMounts(typha, "other"), []);
    });

    it("points env values under a mount path at the volume's folder, and nothing else", () => {
        const env = translateMountedPaths(
            {
                TYPHA_CAFILE: "/etc/pki/tls/certs/tigera-ca-bundle.crt",
                TYPHA_SERVERKEYFILE: "/typha-certs/tls.key",
                TYPHA_LOGFILEPATH: "none",
                ELSEWHERE: "/typha-certs-other/x",
            },
            new Map([
                ["/etc/pki/tls/certs", "/s/ca"],
                ["/typha-certs", "/s/typha"],
            ]),
        );
        assert.deepEqual(env, {
            TYPHA_CAFILE: "/s/ca/tigera-ca-bundle.crt",
            TYPHA_SERVERKEYFILE: "/s/typha/tls.key",
            TYPHA_LOGFILEPATH: "none",
            ELSEWHERE: "/typha-certs-other/x",
        });
    });

    it("maps Typha's API server address as Felix's, without runit's renames", () => {
        const env = apiServerEnv(
            { NODENAME: "n0", KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
            route,
        );
        assert.equal(env["KUBERNETES_SERVICE_HOST"], "10.224.0.1");
        assert.equal(env["FELIX_FELIXHOSTNAME"], undefined);
    });
});
