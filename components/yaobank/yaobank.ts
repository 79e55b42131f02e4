import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    deployment,
    loadBalancerAddress,
    LOAD_BALANCER_SERVICE,
    loadBalancerService,
    NAMESPACE,
    namespace,
    service,
    serviceAccount,
    TIERS,
    yaobankUrl,
} from "./yaobank-spec";
import { yaobankNetworkPolicies, type PolicyOptions } from "./yaobank-policies";

export interface YaobankArgs {
    /**
     * The switch the pods must run on (CalicoDataplane.switchApplied). It resolves after a switch is
     * live, and its change rolls the pods, so they start their connections on the new dataplane.
     */
    readonly switchApplied: pulumi.Input<string>;
    /** The cluster's explicit Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** yaobank's NetworkPolicies and who may reach the page; undefined creates no policy. */
    readonly networkPolicies?: PolicyOptions;
}

/** The yaobank demo behind an Azure LoadBalancer: customer -> summary -> database. */
export class Yaobank extends pulumi.ComponentResource {
    /** The LoadBalancer's public address. */
    readonly loadBalancerIp: pulumi.Output<string>;
    /** `http://<ip>/`: the YAO Bank page. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: YaobankArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-calico-lab:index:Yaobank", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, namespace(), k8sOpts);
        const inNamespace = { ...k8sOpts, dependsOn: [ns] };
        for (const tier of TIERS) {
            const account = new k8s.core.v1.ServiceAccount(
                `${name}-${tier.name}-account`,
                serviceAccount(tier),
                inNamespace,
            );
            new k8s.core.v1.Service(`${name}-${tier.name}-service`, service(tier), inNamespace);
            new k8s.apps.v1.Deployment(
                `${name}-${tier.name}`,
                deployment(tier, args.switchApplied),
                {
                    ...k8sOpts,
                    dependsOn: [account],
                },
            );
        }

        if (args.networkPolicies !== undefined) {
            for (const networkPolicy of yaobankNetworkPolicies(args.networkPolicies)) {
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-policy-${networkPolicy.metadata.name}`,
                    networkPolicy,
                    inNamespace,
                );
            }
        }

        const entry = new k8s.core.v1.Service(
            `${name}-load-balancer`,
            loadBalancerService(),
            inNamespace,
        );
        this.loadBalancerIp = entry.status.loadBalancer.ingress.apply((ingress) => {
            const address = loadBalancerAddress(ingress);
            if (address === undefined) {
                throw new pulumi.ResourceError(
                    `Service ${NAMESPACE}/${LOAD_BALANCER_SERVICE} has no load balancer address`,
                    entry,
                );
            }
            return address;
        });
        this.url = this.loadBalancerIp.apply(yaobankUrl);
        this.registerOutputs({ loadBalancerIp: this.loadBalancerIp, url: this.url });
    }
}
