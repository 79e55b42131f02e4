import * as pulumi from "@pulumi/pulumi";
import { AksCluster } from "./components/aks-cluster";
import { parseLabConfig, PROJECT } from "./components/config";
import { dnsPrefixFor } from "./components/naming";

const stackConfig = new pulumi.Config();
const { config, warnings } = parseLabConfig((key) => stackConfig.get(key));
for (const warning of warnings) void pulumi.log.warn(warning);

const tags = { lab: PROJECT, stack: pulumi.getStack() };

const aks = new AksCluster("lab", {
    location: config.location,
    dnsPrefix: dnsPrefixFor(PROJECT, pulumi.getStack()),
    nodeCount: config.nodeCount,
    nodeVmSize: config.nodeVmSize,
    kubernetesVersion: config.kubernetesVersion,
    windowsNodePool: config.windowsNodePool,
    tags,
});

export const resourceGroupName = aks.resourceGroupName;
export const clusterName = aks.clusterName;
export const apiServerFqdn = aks.apiServerFqdn;
export const kubeconfig = aks.kubeconfig;
export const dataplane = config.dataplane;
