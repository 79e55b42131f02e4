import * as pulumi from "@pulumi/pulumi";
import { CalicoDataplane } from "./components/calico";
import { AksCluster, dnsPrefixFor, ExistingCluster } from "./components/cluster";
import { parseLabConfig, PROJECT, type LabConfig } from "./components/config";
import { Yaobank } from "./components/yaobank";
import { describeApiServer } from "./core/api-server";

const stackConfig = new pulumi.Config();
const namespace = `${PROJECT}:`;
const setKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(namespace))
    .map((key) => key.slice(namespace.length));
// Marked @internal in the SDK's typings, but the one way to know a value was set with --secret
// (@pulumi/pulumi runtime/config.js isConfigSecret @v3.276.0, which Config.get also consults).
const runtime = pulumi.runtime as typeof pulumi.runtime & {
    isConfigSecret?: (key: string) => boolean;
};
const { config, warnings } = parseLabConfig(
    (key) => stackConfig.get(key),
    setKeys,
    (key) => runtime.isConfigSecret?.(key) ?? true,
);
for (const warning of warnings) void pulumi.log.warn(warning);

const tags = { lab: PROJECT, stack: pulumi.getStack() };

/** The cluster the lab runs on: the AKS cluster it creates, or the one the stack names. */
function labCluster(source: LabConfig["cluster"]) {
    switch (source.kind) {
        case "aks":
            return new AksCluster("lab", {
                location: config.location,
                dnsPrefix: dnsPrefixFor(PROJECT, pulumi.getStack()),
                nodeCount: config.nodeCount,
                nodeVmSize: config.nodeVmSize,
                kubernetesVersion: config.kubernetesVersion,
                windowsNodePool: config.windowsNodePool,
                apiServerAuthorizedIpRanges: config.apiServerAuthorizedIpRanges,
                tags,
            });
        case "kubeconfig":
            return new ExistingCluster("lab", {
                source: {
                    kubeconfig: stackConfig.requireSecret("existingKubeconfig"),
                    apiServer: source.apiServer,
                },
            });
        case "existing-aks":
            return new ExistingCluster("lab", { source: { aksCluster: source.cluster } });
    }
}
const cluster = labCluster(config.cluster);

const calico = new CalicoDataplane("calico", {
    dataplane: config.dataplane,
    bpfExternalServiceMode: config.bpfExternalServiceMode,
    wireguard: config.wireguard,
    apiServer: cluster.apiServer,
    clusterId: cluster.clusterId,
    existingCluster: config.cluster.kind !== "aks",
    kubeconfig: cluster.kubeconfig,
    provider: cluster.provider,
});

const yaobank = new Yaobank("yaobank", {
    switchApplied: calico.switchApplied,
    provider: cluster.provider,
    networkPolicies: config.yaobankPolicies
        ? { allowedClientCidrs: config.allowedClientCidrs }
        : undefined,
});

const aks = cluster instanceof AksCluster ? cluster : undefined;
export const resourceGroupName = aks?.resourceGroupName;
export const clusterName = aks?.clusterName;
export const apiServerFqdn = aks?.apiServerFqdn;
/** Where the lab reaches the API server, `host:port`: also the only address an existing cluster exports. */
export const apiServer = cluster.apiServer.apply(describeApiServer);
export const kubeconfig = cluster.kubeconfig;
export const dataplane = calico.liveDataplane;
export const yaobankIp = yaobank.loadBalancerIp;
export const yaobankUrl = yaobank.url;
