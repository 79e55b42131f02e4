import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { aksApiServer, type ApiServer } from "../../core/api-server";
import { aksUserKubeconfig, clusterProvider } from "./kube-access";
import {
    clusterNetworkProfile,
    requireRunning,
    SYSTEM_POOL_NAME,
    WINDOWS_ADMIN_USERNAME,
    WINDOWS_POOL_NAME,
    windowsPoolOs,
    withoutPodCidrForAzureCni,
} from "./cluster-spec";

export interface AksClusterArgs {
    /** Azure region of the resource group and the cluster. */
    readonly location: string;
    /** DNS prefix of the API server FQDN; fixed at creation. */
    readonly dnsPrefix: string;
    /** Node count of the Linux system pool. */
    readonly nodeCount: number;
    /** VM size of every node, Linux and Windows. */
    readonly nodeVmSize: string;
    /** AKS Kubernetes version; undefined lets AKS pick its default. */
    readonly kubernetesVersion?: string;
    /** Whether to add the Windows pool `npwin` (one node) as a separate AgentPool. */
    readonly windowsNodePool: boolean;
    /** IPv4 CIDR blocks allowed to reach the API server; undefined leaves it open to the internet. */
    readonly apiServerAuthorizedIpRanges?: readonly string[];
    /** Tags for the Azure resources. */
    readonly tags?: Record<string, string>;
}

/**
 * A resource group and an AKS cluster with Azure CNI and Calico network policy, its user
 * kubeconfig (secret) and a Kubernetes provider bound to it. Nothing here depends on the Calico
 * dataplane, so switching the dataplane never updates or replaces the cluster.
 */
export class AksCluster extends pulumi.ComponentResource {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    /** The API server's public host name, e.g. `<prefix>-<hash>.hcp.<region>.azmk8s.io`. */
    readonly apiServerFqdn: pulumi.Output<string>;
    /** The user kubeconfig, decoded; a Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The explicit provider every Kubernetes resource of the lab must use. */
    readonly provider: k8s.Provider;
    /** Where calico-node reaches the API server: the FQDN, port 443. */
    readonly apiServer: pulumi.Output<ApiServer>;
    /** The cluster's Azure resource id: a new cluster has a new one. */
    readonly clusterId: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-calico-lab:index:AksCluster", name, {}, opts);

        const resourceGroup = new resources.ResourceGroup(
            `${name}-rg`,
            { location: args.location, tags: args.tags },
            { parent: this },
        );

        // AKS keeps one Windows profile per cluster, and pulumi-azure-native documents that the
        // inline profiles cannot be updated; setting it always keeps the cluster's inputs the same
        // whether or not the Windows pool exists.
        const windowsAdminPassword = new random.RandomPassword(
            `${name}-windows-admin`,
            {
                length: 24,
                minLower: 1,
                minUpper: 1,
                minNumeric: 1,
                minSpecial: 1,
                overrideSpecial: "!#%*-_=+",
            },
            { parent: this },
        );

        const cluster = new containerservice.ManagedCluster(
            `${name}-aks`,
            {
                resourceGroupName: resourceGroup.name,
                location: args.location,
                dnsPrefix: args.dnsPrefix,
                kubernetesVersion: args.kubernetesVersion,
                identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
                enableRBAC: true,
                agentPoolProfiles: [
                    {
                        name: SYSTEM_POOL_NAME,
                        mode: containerservice.AgentPoolMode.System,
                        osType: containerservice.OSType.Linux,
                        type: containerservice.AgentPoolType.VirtualMachineScaleSets,
                        vmSize: args.nodeVmSize,
                        count: args.nodeCount,
                    },
                ],
                networkProfile: clusterNetworkProfile(),
                // AKS adds the cluster's own outbound IP to the list (MicrosoftDocs/azure-aks-docs
                // articles/aks/api-server-authorized-ip-ranges.md @fb060ab).
                ...(args.apiServerAuthorizedIpRanges && {
                    apiServerAccessProfile: {
                        authorizedIPRanges: [...args.apiServerAuthorizedIpRanges],
                    },
                }),
                windowsProfile: {
                    adminUsername: WINDOWS_ADMIN_USERNAME,
                    adminPassword: pulumi.secret(windowsAdminPassword.result),
                },
                tags: args.tags,
            },
            { parent: this, transforms: [withoutPodCidrForAzureCni] },
        );

        if (args.windowsNodePool) {
            new containerservice.AgentPool(
                `${name}-${WINDOWS_POOL_NAME}`,
                {
                    resourceGroupName: resourceGroup.name,
                    resourceName: cluster.name,
                    agentPoolName: WINDOWS_POOL_NAME,
                    mode: containerservice.AgentPoolMode.User,
                    osType: containerservice.OSType.Windows,
                    ...windowsPoolOs(args.kubernetesVersion),
                    type: containerservice.AgentPoolType.VirtualMachineScaleSets,
                    vmSize: args.nodeVmSize,
                    count: 1,
                },
                { parent: this },
            );
        }

        // Read live on every preview and up (an invoke runs in preview; the resource's state would
        // say Running until a refresh): a stopped cluster ends the run here, in one line.
        const live = containerservice.getManagedClusterOutput(
            { resourceGroupName: resourceGroup.name, resourceName: cluster.name },
            { parent: this },
        );
        const runningCluster = pulumi
            .all([live.powerState, resourceGroup.name, cluster.name])
            .apply(([power, group, clusterName]) => {
                requireRunning(power, group, clusterName);
                return clusterName;
            });
        this.kubeconfig = aksUserKubeconfig(
            { resourceGroupName: resourceGroup.name, resourceName: runningCluster },
            this,
        );
        this.provider = clusterProvider(`${name}-k8s`, this.kubeconfig, cluster.id, this);

        this.resourceGroupName = resourceGroup.name;
        this.clusterName = cluster.name;
        this.apiServerFqdn = cluster.fqdn;
        this.apiServer = cluster.fqdn.apply(aksApiServer);
        this.clusterId = cluster.id;
        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            clusterName: this.clusterName,
            apiServerFqdn: this.apiServerFqdn,
            kubeconfig: this.kubeconfig,
            apiServer: this.apiServer,
            clusterId: this.clusterId,
        });
    }
}
