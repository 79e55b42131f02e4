import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    connectTimeLoadBalancingSpec,
    calicoReadyStep,
    calicoReadyTriggers,
    CTLB_PATCH_ANNOTATIONS,
    DNS_DEPLOYMENT,
    DNS_NAMESPACE,
    ENDPOINT_CONFIGMAP_NAME,
    endpointConfigMapData,
    felixConfigurationSpec,
    FIELD_MANAGER,
    installationPatchAnnotations,
    installationSpec,
    LINUX_DATAPLANE_PATH,
    PATCH_ANNOTATIONS,
    stepTriggers,
    switchAppliedAt,
    switchOrder,
    type SwitchStep,
} from "./calico-spec";
import {
    CONNECT_TIME_LOAD_BALANCING_PATH,
    FELIX_CONFIGURATION,
    INSTALLATION,
    OPERATOR_NAMESPACE,
} from "../../core/calico-objects";
import { FELIX_CRD_NAME, kubeProxyHealthzPortField } from "../../core/felix-schema";
import { clusterStep as stepCommand } from "./cluster-step";
import { appliedAt } from "../../core/managed-fields";
import { destroyGuard } from "./destroy-guard";
import type { ApiServer } from "../../core/api-server";
import type { ExternalServiceMode } from "../config";
import type { Dataplane } from "../../core/dataplane";

export interface CalicoDataplaneArgs {
    /** The Calico Linux dataplane to converge on. */
    readonly dataplane: Dataplane;
    /** eBPF forwarding of NodePort/LoadBalancer traffic; sent only with `bpf`. */
    readonly bpfExternalServiceMode: ExternalServiceMode;
    /** WireGuard encryption; only allowed with `iptables` (config validation). */
    readonly wireguard: boolean;
    /** Where calico-node reaches the API server directly, for the `kubernetes-services-endpoint` ConfigMap. */
    readonly apiServer: pulumi.Input<ApiServer>;
    /** What tells this cluster from a new one (AKS's resource id, or the kube-system namespace's uid). */
    readonly clusterId: pulumi.Input<string>;
    /**
     * Whether the lab did not create the cluster: Calico must be there already (the first step fails
     * at once otherwise), and a destroy must not leave it on eBPF (destroyGuard).
     */
    readonly existingCluster: boolean;
    /** The cluster's kubeconfig (secret), handed to the wait and restart commands. */
    readonly kubeconfig: pulumi.Input<string>;
    /** The cluster's explicit Kubernetes provider. */
    readonly provider: k8s.Provider;
}

/**
 * Switches AKS-managed Calico between its iptables and eBPF dataplanes by patching what AKS and
 * the Tigera operator already created, in the order `switchOrder` gives, and waiting until the
 * switch is live on every node. `liveDataplane` resolves only then: resources that take it as an
 * input (the yaobank pods) roll after the switch.
 */
export class CalicoDataplane extends pulumi.ComponentResource {
    /** The dataplane, known once the switch is live and cluster DNS has restarted on it. */
    readonly liveDataplane: pulumi.Output<Dataplane>;
    /** `<dataplane> <time the lab applied it>`, known with liveDataplane: what pods roll on. */
    readonly switchApplied: pulumi.Output<string>;

    constructor(name: string, args: CalicoDataplaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aks-calico-lab:index:CalicoDataplane", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        // A replaced patch's delete relinquishes its manager's fields; created before the delete (the
        // default), it would take back what its successor had just applied under the same manager
        // (pulumi/pulumi-kubernetes provider/pkg/await/await.go Deletion: ssa.Relinquish @94977969).
        const patchOpts = { ...k8sOpts, deleteBeforeReplace: true };

        const patch = (
            step: string,
            target: { apiVersion: string; kind: string; name: string },
            spec: pulumi.Input<object> | undefined,
            annotations: pulumi.Input<Record<string, string>>,
            after: pulumi.Resource,
        ) =>
            new k8s.apiextensions.CustomResourcePatch(
                `${name}-${step}`,
                {
                    apiVersion: target.apiVersion,
                    kind: target.kind,
                    metadata: { name: target.name, annotations },
                    ...(spec === undefined ? {} : { spec }),
                },
                { ...patchOpts, dependsOn: [after] },
            );
        const clusterStep = (
            step: string,
            stepArgs: pulumi.Input<string>,
            triggers: pulumi.Input<pulumi.Input<string>[]>,
            after: pulumi.Resource,
        ) =>
            stepCommand(
                `${name}-${step}`,
                { step: stepArgs, kubeconfig: args.kubeconfig, triggers },
                { parent: this, dependsOn: [after] },
            );

        // Once per cluster, before anything reads or patches its Calico: a fresh cluster's operator
        // may not have registered the Calico CRDs or created FelixConfiguration `default` yet when
        // AKS reports the cluster ready; a cluster whose Calico the lab cannot switch (no operator,
        // or the projectcalico.org/v3 API group) fails here in one line (core/calico-preflight.ts).
        const calicoReady = clusterStep(
            "ready",
            calicoReadyStep(args.existingCluster),
            pulumi
                .all([args.clusterId, args.apiServer])
                .apply(([id, apiServer]) => calicoReadyTriggers(id, apiServer)),
            args.provider,
        );
        // Read on every preview and up, after Calico is up (the SDK sends a read only once its
        // dependencies are done: pulumi/pulumi sdk/nodejs/runtime/resource.ts prepareResource
        // @v3.270.0), so an AKS upgrade that brings another Calico is picked up on the next `up`.
        // Its id waits for the first step's stdout: unknown in a preview that will run that step (the
        // command provider marks a previewed create's outputs unknown: pulumi-go-provider
        // infer/resource.go markComputed @v1.3.0; not the step's id, which a preview already
        // knows), and an unknown id skips the read (pulumi/pulumi pkg/resource/deploy/step.go
        // ReadStep.Apply @v3.259.0), so on a new cluster the step's one-line verdict comes before
        // the read could fail on a missing CRD.
        const felixCrd = k8s.apiextensions.v1.CustomResourceDefinition.get(
            `${name}-felix-crd`,
            calicoReady.stdout.apply(() => FELIX_CRD_NAME),
            { ...k8sOpts, dependsOn: [calicoReady] },
        );

        // The Installation as the cluster has it, read on every preview and up like the CRD: a
        // `kubectl edit` of its dataplane shows as a change of the lab's patch
        // (installationPatchAnnotations), which a diff against the state alone would never see.
        // A read by id, as CustomResource.get makes it, but naming `metadata`: a resource's outputs
        // are the keys its constructor was given, and get() gives only apiVersion and kind
        // (@pulumi/kubernetes apiextensions/customResource.js @4.34.2), so its metadata is undefined.
        const liveInstallation = new k8s.apiextensions.CustomResource(
            `${name}-installation-read`,
            { apiVersion: INSTALLATION.apiVersion, kind: INSTALLATION.kind, metadata: {} },
            {
                ...k8sOpts,
                id: calicoReady.stdout.apply(() => INSTALLATION.name),
                dependsOn: [felixCrd],
            },
        );

        // When the lab's apply last changed each switch patch; set as the patches are made. The steps
        // after a patch take it as their `--since` and, with the dataplane, as their triggers.
        // Read only by the steps that follow a patch: to eBPF the connect-time patch hands its field
        // back, so no time exists for it, and none is needed.
        const switchedAt: Partial<Record<"ctlb" | "installation", () => pulumi.Output<string>>> =
            {};
        const switchPatch = (
            key: "ctlb" | "installation",
            made: k8s.apiextensions.CustomResourcePatch,
            path: readonly string[],
            manager?: string,
        ) => {
            // A preview shows a patch it will apply with the object as it is, which no apply of the
            // lab has touched yet (a first preview, or a field another manager took): the time is
            // unknown until the `up`, which has it or stops (found on the real engine, issue 17).
            const timeOf = (metadata: unknown, urn: string): pulumi.Output<string> =>
                pulumi.runtime.isDryRun() && appliedAt(metadata, path, manager) === undefined
                    ? pulumi.output(pulumi.unknown as unknown as string)
                    : pulumi.output(switchAppliedAt(metadata, path, manager, urn));
            switchedAt[key] = () =>
                pulumi.all([made.metadata, made.urn]).apply(([m, urn]) => timeOf(m, urn));
            return made;
        };
        const afterPatch = (
            step: string,
            patched: "ctlb" | "installation",
            stepArgs: (since: string) => string,
            after: pulumi.Resource,
        ) => {
            const time = switchedAt[patched]?.();
            if (time === undefined)
                throw new Error(`switch order: ${patched} must precede ${step}`);
            return clusterStep(
                step,
                time.apply(stepArgs),
                time.apply((t) => stepTriggers(args.dataplane, t)),
                after,
            );
        };
        const steps: Record<SwitchStep, (after: pulumi.Resource) => pulumi.Resource> = {
            // Written with the first switch to eBPF, and kept from then on: the operator ignores the
            // ConfigMap's deletion until it restarts, then re-renders calico-node at an unplanned
            // moment (tigera/operator pkg/controller/utils/utils.go PopulateK8sServiceEndPoint
            // @v1.38.6), so it is retained on delete, and on the way back to iptables the program
            // stops registering it (which deletes nothing). A Patch upserts it whether or not AKS
            // created it. Never on an `up` that stays on iptables: it would roll calico-node there.
            endpoint: (after) =>
                new k8s.core.v1.ConfigMapPatch(
                    `${name}-services-endpoint`,
                    {
                        metadata: {
                            name: ENDPOINT_CONFIGMAP_NAME,
                            namespace: OPERATOR_NAMESPACE,
                            annotations: PATCH_ANNOTATIONS,
                        },
                        data: pulumi.output(args.apiServer).apply(endpointConfigMapData),
                    },
                    { ...patchOpts, retainOnDelete: true, dependsOn: [after] },
                ),
            ctlb: (after) =>
                switchPatch(
                    "ctlb",
                    patch(
                        "felix-ctlb",
                        FELIX_CONFIGURATION,
                        connectTimeLoadBalancingSpec(args.dataplane),
                        CTLB_PATCH_ANNOTATIONS,
                        after,
                    ),
                    CONNECT_TIME_LOAD_BALANCING_PATH,
                ),
            waitCtlb: (after) =>
                afterPatch("wait-ctlb", "ctlb", (t) => `wait-ctlb-detached --since ${t}`, after),
            felix: (after) =>
                patch(
                    "felix",
                    FELIX_CONFIGURATION,
                    felixCrd.spec.apply((crd) =>
                        felixConfigurationSpec(
                            args.dataplane,
                            args,
                            kubeProxyHealthzPortField(crd),
                        ),
                    ),
                    PATCH_ANNOTATIONS,
                    after,
                ),
            installation: (after) =>
                switchPatch(
                    "installation",
                    patch(
                        "installation",
                        INSTALLATION,
                        installationSpec(args.dataplane),
                        liveInstallation.metadata.apply(installationPatchAnnotations),
                        after,
                    ),
                    LINUX_DATAPLANE_PATH,
                    FIELD_MANAGER,
                ),
            wait: (after) =>
                afterPatch(
                    "wait",
                    "installation",
                    (t) => `wait-dataplane ${args.dataplane} --since ${t}`,
                    after,
                ),
            restartDns: (after) =>
                afterPatch(
                    "restart-dns",
                    "installation",
                    (t) => `restart ${DNS_NAMESPACE}/${DNS_DEPLOYMENT} --since ${t}`,
                    after,
                ),
        };
        // Towards eBPF, before the first patch: a node kernel that refuses this Calico's connect-time
        // load balancer stops the `up` here, as Felix would crash-loop (core/ctlb-kernel-guard.ts).
        // It exists only on eBPF, so it runs on each flip there, and not on an `up` that stays.
        const preflight =
            args.dataplane === "bpf"
                ? clusterStep("ebpf-preflight", "preflight-ebpf", [args.dataplane], felixCrd)
                : felixCrd;
        // From the CRD read on: a read that fails (the CRD is gone) stops the `up` before any patch.
        const last = switchOrder(args.dataplane).reduce<pulumi.Resource>(
            (after, step) => steps[step](after),
            preflight,
        );
        if (args.existingCluster) {
            // Deleted before everything above it (it depends on the last step), so a destroy that
            // finds eBPF live stops before it relinquishes a single patch.
            destroyGuard(
                `${name}-destroy-guard`,
                { kubeconfig: args.kubeconfig },
                { parent: this, dependsOn: [last] },
            );
        }

        this.liveDataplane = pulumi.output(last.urn).apply(() => args.dataplane);
        // The dataplane and when the lab's apply last switched it: it changes on every switch, also
        // on a revert after a failed flip (the dataplane value alone would not), and not on a no-op up.
        this.switchApplied = pulumi
            .all([last.urn, switchedAt.installation?.() ?? ""])
            .apply(([, appliedAt]) => `${args.dataplane} ${appliedAt}`.trim());
        this.registerOutputs({
            liveDataplane: this.liveDataplane,
            switchApplied: this.switchApplied,
        });
    }
}
