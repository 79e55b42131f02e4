import * as pulumi from "@pulumi/pulumi";
import { CalicoDataplane } from "./components/calico";
import { AksCluster, dnsPrefixFor } from "./components/cluster";
import { parseLabConfig, PROJECT } from "./components/config";
import { Yaobank } from "./components/yaobank";

const stackConfig = new pulumi.Config();
const namespace = `${PROJECT}:`;
const setKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(namespace))
    .map((key) => key.slice(namespace.length));
const { config, warnings } = parseLabConfig((key) => stackConfig.get(key), setKeys);
for (const warning of warnings) void pulumi.log.warn(warning);

const tags = { lab: PROJECT, stack: pulumi.getStack() };

const aks = new AksCluster("lab", {
    location: config.location,
    dnsPrefix: dnsPrefixFor(PROJECT, pulumi.getStack()),
    nodeCount: config.nodeCount,
    nodeVmSize: config.nodeVmSize,
    kubernetesVersion: config.kubernetesVersion,
    windowsNodePool: config.windowsNodePool,
    apiServerAuthorizedIpRanges: config.apiServerAuthorizedIpRanges,
    tags,
});

const calico = new CalicoDataplane("calico", {
    dataplane: config.dataplane,
    bpfExternalServiceMode: config.bpfExternalServiceMode,
    wireguard: config.wireguard,
    apiServerFqdn: aks.apiServerFqdn,
    kubeconfig: aks.kubeconfig,
    provider: aks.provider,
});

const yaobank = new Yaobank("yaobank", {
    switchApplied: calico.switchApplied,
    provider: aks.provider,
    networkPolicies: config.yaobankPolicies
        ? { allowedClientCidrs: config.allowedClientCidrs }
        : undefined,
});

export const resourceGroupName = aks.resourceGroupName;
export const clusterName = aks.clusterName;
export const apiServerFqdn = aks.apiServerFqdn;
export const kubeconfig = aks.kubeconfig;
export const dataplane = calico.liveDataplane;
export const yaobankIp = yaobank.loadBalancerIp;
export const yaobankUrl = yaobank.url;
