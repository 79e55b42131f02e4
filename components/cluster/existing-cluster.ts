import * as containerservice from "@pulumi/azure-native/containerservice";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aksApiServer, describeApiServer, type ApiServer } from "../../core/api-server";
import type { AksClusterName } from "../config";
import { requireRunning } from "./cluster-spec";
import { aksUserKubeconfig, clusterProvider } from "./kube-access";

/** Where the cluster is: a kubeconfig, or an AKS cluster whose credentials Azure gives the lab. */
export type ExistingClusterSource =
    | {
          /** The kubeconfig (a Pulumi secret); its current context is the cluster. */
          readonly kubeconfig: pulumi.Input<string>;
          /** The API server that context names (config.ts reads it from the same kubeconfig). */
          readonly apiServer: ApiServer;
      }
    | {
          /** An AKS cluster the lab did not create. */
          readonly aksCluster: AksClusterName;
      };

export interface ExistingClusterArgs {
    readonly source: ExistingClusterSource;
}

/**
 * A namespace the API server creates itself, and never lets anyone delete: its uid changes only
 * with a new cluster (kubernetes/kubernetes pkg/controlplane/controller/systemnamespaces/system_namespaces_controller.go).
 */
const CLUSTER_IDENTITY_NAMESPACE = "kube-system";

/**
 * A cluster the lab did not create and never changes outside Calico and yaobank: no Azure resource
 * is registered, only reads (AKS's user credentials and FQDN through azure-native's invokes) and a
 * Kubernetes provider bound to it. The same outputs as AksCluster's that the Calico and yaobank
 * layers use.
 */
export class ExistingCluster extends pulumi.ComponentResource {
    /** The kubeconfig the lab uses; a Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The explicit provider every Kubernetes resource of the lab must use. */
    readonly provider: k8s.Provider;
    /** Where calico-node reaches the API server: an AKS FQDN on 443, or the kubeconfig's server. */
    readonly apiServer: pulumi.Output<ApiServer>;
    /**
     * `kube-system/<uid>`, read from the cluster: the API server creates that namespace once, so a
     * cluster re-created under the same name or address has a new one.
     */
    readonly clusterId: pulumi.Output<string>;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-calico-lab:index:ExistingCluster", name, {}, opts);
        const { source } = args;

        if ("aksCluster" in source) {
            const ref = {
                resourceGroupName: source.aksCluster.resourceGroupName,
                resourceName: source.aksCluster.clusterName,
            };
            const cluster = containerservice.getManagedClusterOutput(ref, { parent: this });
            // Read on every preview and up: a stopped cluster ends the run in one line (cluster-spec.ts).
            const running = cluster.apply((found) => {
                requireRunning(found.powerState, ref.resourceGroupName, ref.resourceName);
                return found;
            });
            // A private cluster may have no public FQDN; its nodes reach the private one
            // (pulumi/pulumi-azure-native sdk getManagedCluster.d.ts fqdn, privateFQDN @v3.28.0).
            this.apiServer = running.apply(({ fqdn, privateFQDN }) => {
                const host = fqdn || privateFQDN;
                if (!host) {
                    throw new pulumi.ResourceError(
                        `AKS cluster ${ref.resourceGroupName}/${ref.resourceName} reports no API server FQDN`,
                        this,
                    );
                }
                return aksApiServer(host);
            });
            this.kubeconfig = aksUserKubeconfig(
                { ...ref, resourceName: running.apply(() => ref.resourceName) },
                this,
            );
        } else {
            this.apiServer = pulumi.output(source.apiServer);
            this.kubeconfig = pulumi.secret(source.kubeconfig);
        }

        // Named by its API server: new credentials for the same server keep the provider (and every
        // resource on it); a kubeconfig pointed elsewhere replaces them.
        this.provider = clusterProvider(
            `${name}-k8s`,
            this.kubeconfig,
            this.apiServer.apply(describeApiServer),
            this,
        );
        const identity = k8s.core.v1.Namespace.get(`${name}-identity`, CLUSTER_IDENTITY_NAMESPACE, {
            parent: this,
            provider: this.provider,
        });
        this.clusterId = identity.metadata.uid.apply(
            (uid) => `${CLUSTER_IDENTITY_NAMESPACE}/${uid}`,
        );

        this.registerOutputs({
            kubeconfig: this.kubeconfig,
            apiServer: this.apiServer,
            clusterId: this.clusterId,
        });
    }
}
