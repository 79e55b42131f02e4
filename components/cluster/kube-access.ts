/** How the lab reaches a cluster's API server: AKS user credentials, and the one explicit provider. */
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** An AKS cluster's user kubeconfig, decoded; a Pulumi secret. */
export function aksUserKubeconfig(
    cluster: { resourceGroupName: pulumi.Input<string>; resourceName: pulumi.Input<string> },
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(cluster, {
        parent,
    });
    // The invoke returns the kubeconfig base64-encoded and not marked secret
    // (pulumi/pulumi-azure-native sdk listManagedClusterUserCredentials.d.ts).
    return pulumi.secret(
        credentials.kubeconfigs.apply((kubeconfigs) => {
            const [first] = kubeconfigs;
            if (first === undefined) {
                throw new pulumi.ResourceError(
                    "AKS returned no user kubeconfig for the cluster",
                    parent,
                );
            }
            return Buffer.from(first.value, "base64").toString("utf8");
        }),
    );
}

/** The explicit provider every Kubernetes resource of the lab must use. */
export function clusterProvider(
    name: string,
    kubeconfig: pulumi.Input<string>,
    clusterIdentifier: pulumi.Input<string>,
    parent: pulumi.Resource,
): k8s.Provider {
    return new k8s.Provider(
        name,
        {
            kubeconfig,
            // A stable identity keeps a refreshed kubeconfig from replacing the provider and
            // every resource on it (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig).
            clusterIdentifier,
            // No deleteUnreachable here: set on the provider it wins over the environment
            // (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go Configure @94977969), and
            // always on it lets a `pulumi refresh` during an API blip or `az aks stop` drop
            // yaobank's objects from state. Destroying a cluster that is already gone sets
            // PULUMI_K8S_DELETE_UNREACHABLE=true for that run (npm run lab -- destroy, tools/lab/driver.ts).
            enableServerSideApply: true,
        },
        { parent },
    );
}
