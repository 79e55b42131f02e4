import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    DNS_DEPLOYMENT,
    DNS_NAMESPACE,
    ENDPOINT_CONFIGMAP_NAME,
    endpointConfigMapData,
    felixConfigurationSpec,
    installationSpec,
    PATCH_ANNOTATIONS,
    switchOrder,
    type SwitchStep,
} from "./calico-spec";
import { FELIX_CONFIGURATION, INSTALLATION, OPERATOR_NAMESPACE } from "../../core/calico-objects";
import { clusterStepCommand, KUBECONFIG_ENV } from "./cluster-step-command";
import type { ExternalServiceMode } from "../config";
import type { Dataplane } from "../../core/dataplane";

export interface CalicoDataplaneArgs {
    /** The Calico Linux dataplane to converge on. */
    readonly dataplane: Dataplane;
    /** eBPF forwarding of NodePort/LoadBalancer traffic; sent only with `bpf`. */
    readonly bpfExternalServiceMode: ExternalServiceMode;
    /** WireGuard encryption; only allowed with `iptables` (config validation). */
    readonly wireguard: boolean;
    /** The API server's FQDN, for the `kubernetes-services-endpoint` ConfigMap. */
    readonly apiServerFqdn: pulumi.Input<string>;
    /** The cluster's kubeconfig (secret), handed to the wait and restart commands. */
    readonly kubeconfig: pulumi.Input<string>;
    /** The cluster's explicit Kubernetes provider. */
    readonly provider: k8s.Provider;
}

/**
 * Switches AKS-managed Calico between its iptables and eBPF dataplanes by patching what AKS and
 * the Tigera operator already created, in the order `switchOrder` gives, and waiting until the
 * switch is live. `liveDataplane` resolves only then: resources that take it as an input (the
 * yaobank pods) roll after the switch.
 */
export class CalicoDataplane extends pulumi.ComponentResource {
    /** The dataplane, known once the switch is live and cluster DNS has restarted on it. */
    readonly liveDataplane: pulumi.Output<Dataplane>;

    constructor(name: string, args: CalicoDataplaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-calico-lab:index:CalicoDataplane", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const environment = { [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig) };
        // A change of triggers replaces a Command, which runs `create` again; any other input change
        // is an update, which runs `update` (pulumi/pulumi-command provider/pkg/provider/local
        // commandController.go @v1.2.1). So the steps rerun on a flip of the dataplane and only
        // then, not when AKS hands out a refreshed kubeconfig.
        const triggers = [args.dataplane];
        const update = "exit 0";

        // Kept in both modes: the operator ignores the ConfigMap's deletion until it restarts, then
        // re-renders calico-node at an unplanned moment (tigera/operator
        // pkg/controller/utils/utils.go PopulateK8sServiceEndPoint @v1.38.6). A Patch upserts it
        // whether or not AKS created it; retained on delete, as deleting it never helps.
        const endpoint = new k8s.core.v1.ConfigMapPatch(
            `${name}-services-endpoint`,
            {
                metadata: {
                    name: ENDPOINT_CONFIGMAP_NAME,
                    namespace: OPERATOR_NAMESPACE,
                    annotations: PATCH_ANNOTATIONS,
                },
                data: pulumi.output(args.apiServerFqdn).apply(endpointConfigMapData),
            },
            { ...k8sOpts, retainOnDelete: true },
        );

        const patch = (
            step: string,
            target: { apiVersion: string; kind: string; name: string },
            spec: object,
            after: pulumi.Resource,
        ) =>
            new k8s.apiextensions.CustomResourcePatch(
                `${name}-${step}`,
                {
                    apiVersion: target.apiVersion,
                    kind: target.kind,
                    metadata: { name: target.name, annotations: PATCH_ANNOTATIONS },
                    spec,
                },
                { ...k8sOpts, dependsOn: [after] },
            );
        const clusterStep = (
            step: string,
            stepArgs: string,
            after: pulumi.Resource,
            stepTriggers: string[] = triggers,
        ) =>
            new command.local.Command(
                `${name}-${step}`,
                {
                    create: clusterStepCommand(stepArgs),
                    update,
                    environment,
                    triggers: stepTriggers,
                },
                { parent: this, dependsOn: [after] },
            );
        const steps: Record<SwitchStep, (after: pulumi.Resource) => pulumi.Resource> = {
            felix: (after) =>
                patch(
                    "felix",
                    FELIX_CONFIGURATION,
                    felixConfigurationSpec(args.dataplane, args),
                    after,
                ),
            installation: (after) =>
                patch("installation", INSTALLATION, installationSpec(args.dataplane), after),
            wait: (after) => clusterStep("wait", `wait-dataplane ${args.dataplane}`, after),
            restartDns: (after) =>
                clusterStep("restart-dns", `restart ${DNS_NAMESPACE}/${DNS_DEPLOYMENT}`, after),
        };
        // Once, on the first `up`: a fresh cluster's operator may not have registered the Calico
        // CRDs or created FelixConfiguration `default` yet when AKS reports the cluster ready.
        const calicoReady = clusterStep("ready", "wait-calico", endpoint, []);
        const last = switchOrder(args.dataplane).reduce<pulumi.Resource>(
            (after, step) => steps[step](after),
            calicoReady,
        );

        this.liveDataplane = pulumi.output(last.urn).apply(() => args.dataplane);
        this.registerOutputs({ liveDataplane: this.liveDataplane });
    }
}
