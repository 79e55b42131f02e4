/**
 * What the lab sends to AKS-managed Calico for each dataplane, and in which order. Pure: the
 * CalicoDataplane component turns these decisions into resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeApiServer, type ApiServer } from "../../core/api-server";
import type { ExternalServiceMode } from "../config";
import { appliedAt, fieldHolders, LAB_FIELD_MANAGER, takenFrom } from "../../core/managed-fields";
import { field } from "../../core/unstructured";
import type { KubeProxyHealthzPortField } from "../../core/calico-objects";
import { LINUX_DATAPLANE, type Dataplane } from "../../core/dataplane";

/** Read by the operator in its namespace (tigera/operator pkg/render/node.go K8sSvcEndpointConfigMapName @v1.38.6). */
export const ENDPOINT_CONFIGMAP_NAME = "kubernetes-services-endpoint";
/** AKS's cluster DNS (MicrosoftDocs/azure-aks-docs articles/aks/coredns-custom.md). */
export const DNS_NAMESPACE = "kube-system";
export const DNS_DEPLOYMENT = "coredns";

/** The field manager of the lab's patches (core/managed-fields.ts LAB_FIELD_MANAGER). */
export const FIELD_MANAGER = LAB_FIELD_MANAGER;

/**
 * Felix's default bpfDataIfacePattern (projectcalico/calico felix/config/config_params.go
 * @v3.30.3 and @v3.32.1) without the `P` that matches Azure accelerated networking's `enP*`
 * virtual functions, which Gardener found cut nodes off on Azure
 * (gardener/gardener-extension-provider-azure pkg/webhook/acceleratednetwork/mutate.go). AKS's
 * data NIC is eth0; since Calico 3.30 Felix adds its own tunnel devices to the pattern itself
 * (projectcalico/calico felix/dataplane/linux/bpf_ep_mgr.go @v3.30.3).
 */
export const AZURE_BPF_DATA_IFACE_PATTERN = "^((en|wl|ww|sl|ib)[opsx].*|(eth|wlan|wwan|bond).*)";

export interface FelixSettings {
    readonly bpfExternalServiceMode: ExternalServiceMode;
    readonly wireguard: boolean;
}

/**
 * Where Felix in eBPF mode serves kube-proxy's health check instead of 10256, on which AKS's
 * kube-proxy (which cannot be removed) already listens: from Calico 3.30.4 Felix otherwise logs
 * "BPF Proxy Healthz server failed ... address already in use" every second (projectcalico/calico
 * #10748, #11213). Calico's docs for clusters that keep kube-proxy, AKS named, suggest 10258
 * (tigera/docs#2575). Never 0: Felix rejects it before 3.32 (felix/config/config_params.go
 * @v3.31.2 "int;10256;non-zero").
 */
export const BPF_KUBE_PROXY_HEALTHZ_PORT = 10258;

/**
 * The FelixConfiguration fields the lab owns for a dataplane. Never `bpfEnabled`: the operator
 * owns it and stalls with "modified by someone else" if anyone else sets it (tigera/operator
 * pkg/controller/installation/bpf.go @v1.38.6). Never `nftablesMode`: operator 1.40+ rewrites it on
 * every reconcile (pkg/controller/installation/core_controller.go setNftablesMode @v1.40.2). The
 * healthz port goes under the spelling the live CRD has (`healthzField`), and nowhere when it has
 * none (Calico 3.30.3, whose Felix starts no such server). Under iptables the eBPF-only fields are
 * left out, which relinquishes them (server-side apply drops fields a manager stops sending).
 */
export function felixConfigurationSpec(
    dataplane: Dataplane,
    settings: FelixSettings,
    healthzField: KubeProxyHealthzPortField | undefined,
) {
    if (dataplane === "iptables") return { wireguardEnabled: settings.wireguard };
    return {
        // kube-proxy cannot be removed on AKS (add-on manager); without this Felix and kube-proxy
        // fight over kube-proxy's iptables chains (tigera/docs .../operations/ebpf/install.mdx, AKS tab).
        bpfKubeProxyIptablesCleanupEnabled: false,
        bpfExternalServiceMode: settings.bpfExternalServiceMode,
        bpfDataIfacePattern: AZURE_BPF_DATA_IFACE_PATTERN,
        wireguardEnabled: false,
        ...(healthzField === undefined ? {} : { [healthzField]: BPF_KUBE_PROXY_HEALTHZ_PORT }),
    };
}

/**
 * The connect-time load balancer setting, in a patch of its own: on the way back to iptables it is
 * `Disabled` while eBPF is still live, so Felix detaches the programs it pinned under
 * /sys/fs/bpf/ctlb (felix/dataplane/linux/int_dataplane.go RemoveConnectTimeLoadBalancer in the BPF
 * branch @v3.30.3). Operator 1.38.x gives calico-node no bpffs mount in iptables mode
 * (pkg/render/node.go @v1.38.6, fixed by #4108 in v1.40.0), so an iptables Felix could not detach
 * them, and they would keep rewriting service connections with stale maps. Towards eBPF the field
 * is handed back (undefined: no spec), so Calico's default (TCP) applies: the benchmark measures
 * eBPF with it.
 */
export function connectTimeLoadBalancingSpec(dataplane: Dataplane) {
    return dataplane === "iptables" ? { bpfConnectTimeLoadBalancing: "Disabled" } : undefined;
}

/** Where the patches' fields sit, to find when the lab's apply last changed them (core/managed-fields.ts). */
export const LINUX_DATAPLANE_PATH = ["spec", "calicoNetwork", "linuxDataplane"] as const;

/**
 * The only Installation field the lab sets: `hostPorts` is rejected with Azure CNI (tigera/operator
 * pkg/controller/installation/validation.go @v1.38.6) and the rest is AKS's and the operator's.
 */
export function installationSpec(dataplane: Dataplane) {
    return { calicoNetwork: { linuxDataplane: LINUX_DATAPLANE[dataplane] } } as const;
}

/** Where calico-node reaches the API server directly, not through kube-proxy's service VIP. */
export function endpointConfigMapData({ host, port }: ApiServer) {
    return { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port) };
}

/**
 * The first step's command: wait until the operator has set Calico up. On a cluster the lab did not
 * create, what is missing now stays missing, so the step fails at once naming it.
 */
export function calicoReadyStep(existingCluster: boolean): string {
    return existingCluster ? "wait-calico --existing" : "wait-calico";
}

/**
 * The first step's triggers: the cluster, so that a new cluster (AKS re-created it, or the stack now
 * names another) is checked and waited for again before anything reads or patches its Calico.
 */
export function calicoReadyTriggers(clusterId: string, apiServer: ApiServer): string[] {
    return [clusterId, describeApiServer(apiServer)];
}

/** Win over the operator: it writes its defaults, linuxDataplane among them, back into the Installation (tigera/operator pkg/controller/installation/core_controller.go @v1.38.6), so it owns them too. */
const FORCE_ANNOTATIONS = { "pulumi.com/patchForce": "true" } as const;

/** Annotations of the patches: apply with the lab's field manager, forced. */
export const PATCH_ANNOTATIONS = {
    "pulumi.com/patchFieldManager": FIELD_MANAGER,
    ...FORCE_ANNOTATIONS,
} as const;

/**
 * Set on the Installation by the lab's patch when it takes `linuxDataplane` back from another field
 * manager: who held it and when. Pulumi diffs a patch against its state, not the cluster, so an
 * `up` would not see a `kubectl edit` of the dataplane; the program reads the live Installation on
 * every run, and a new value here is a change of the patch's inputs: the update applies the lab's
 * dataplane again with force, which moves the lab's apply time, so the waits and the DNS restart
 * after it run again. The value stays on the object (the live read keeps it), so a later `up` sees
 * no change, and the next edit, at another time, is a change again.
 */
export const TAKEN_BACK_ANNOTATION = "aks-calico-lab/linux-dataplane-taken-back-from";

/** The Installation patch's annotations, from the live Installation's `metadata`, as read. */
export function installationPatchAnnotations(live: unknown): Record<string, string> {
    const taken = takenFrom(live, LINUX_DATAPLANE_PATH, FIELD_MANAGER);
    const kept = field(live, "annotations", TAKEN_BACK_ANNOTATION);
    const value = taken ?? (typeof kept === "string" ? kept : undefined);
    return value === undefined
        ? { ...PATCH_ANNOTATIONS }
        : { ...PATCH_ANNOTATIONS, [TAKEN_BACK_ANNOTATION]: value };
}

/**
 * Annotations of the second patch of FelixConfiguration (connect-time load balancing). Two patches
 * of one object need two field managers, or each apply would relinquish the other's fields. The
 * manager's name is an annotation that the provider applies to the object too, so a second fixed
 * name would flip that annotation on every apply and show as drift after a refresh: this patch
 * takes the provider's own per-resource manager instead (pulumi/pulumi-kubernetes
 * provider/pkg/provider/provider.go fieldManagerName @94977969, kept in state).
 */
export const CTLB_PATCH_ANNOTATIONS = FORCE_ANNOTATIONS;

/**
 * The steps of a switch. `endpoint` (the `kubernetes-services-endpoint` ConfigMap) exists only on
 * the way to eBPF; `waitCtlb` (the wait for every Felix to have detached the connect-time load
 * balancer) only on the way to iptables.
 */
export type SwitchStep =
    "endpoint" | "ctlb" | "waitCtlb" | "felix" | "installation" | "wait" | "restartDns";

/**
 * The order of the steps towards a dataplane, each waiting for the one before. To eBPF, the
 * endpoint ConfigMap is written first: it makes the operator add KUBERNETES_SERVICE_HOST/PORT to
 * calico-node, typha and kube-controllers (tigera/operator pkg/controller/k8sapi/k8s-endpoint.go
 * @v1.38.6, read on every reconcile), a rollout the Installation's own rollout then absorbs and the
 * wait covers. Only then the connect-time load balancer is handed back and Felix told not to fight
 * kube-proxy, before the Installation switches. Back to iptables, the connect-time load balancer is
 * disabled and detached on every node while eBPF is still live, then the Installation switches, and
 * the eBPF-only Felix settings are relinquished only once Felix has left eBPF mode. The ConfigMap is
 * not among them: written once (the first switch to eBPF), it stays (see CalicoDataplane).
 */
export function switchOrder(dataplane: Dataplane): readonly SwitchStep[] {
    return dataplane === "bpf"
        ? ["endpoint", "ctlb", "felix", "installation", "wait", "restartDns"]
        : ["ctlb", "waitCtlb", "installation", "wait", "felix", "restartDns"];
}

/**
 * The triggers of the steps that follow a patch: the dataplane and when the lab's apply last changed
 * the patched field. A step reruns only when its triggers change (a replacement: clusterStep in
 * components/calico/cluster-step.ts). When a wait fails, the new step is not recorded and state keeps
 * the old triggers (the command provider's failed create returns no partial state: pulumi/pulumi-go-provider
 * infer/resource.go Create @v1.3.0); flipping back applies the patch again, which moves its
 * time, so the steps rerun. Nothing else moves it: not a no-op `up`, not a refresh that reads back
 * the operator's writes.
 */
export function stepTriggers(dataplane: Dataplane, appliedAt: string): string[] {
    return [dataplane, appliedAt];
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * When the lab's apply last changed `path` of a patched object: the `--since` of the steps after it
 * and their trigger. When no Apply entry of `manager` owns the field any more (another manager took
 * it, e.g. `kubectl edit`, and a refresh read that back), there is no such time: rather than hand
 * the steps an empty `--since`, the program stops with one line naming who holds the field and how
 * to apply the patch again. A RunError prints without a stack (pulumi/pulumi
 * sdk/nodejs/cmd/run/run.ts uncaughtHandler @v3.259.0), also when thrown inside an apply.
 */
export function switchAppliedAt(
    metadata: unknown,
    path: readonly string[],
    manager: string | undefined,
    patchUrn: string,
): string {
    const time = appliedAt(metadata, path, manager);
    const again = `run \`pulumi up --target-replace '${patchUrn}'\` to apply the patch again`;
    if (time !== undefined) {
        if (RFC3339.test(time)) return time;
        throw new pulumi.RunError(
            `${path.join(".")} of ${asObjectName(patchUrn)}: the lab's apply carries no time ` +
                `(${JSON.stringify(time)}), so the lab cannot tell when its switch was applied: ${again}`,
        );
    }
    const holders = fieldHolders(metadata, path);
    const heldBy = holders.length === 0 ? "no field manager" : holders.join(", ");
    throw new pulumi.RunError(
        `${path.join(".")} of ${asObjectName(patchUrn)} is held by ${heldBy}, not by the lab's ` +
            `apply${manager === undefined ? "" : ` (${manager})`}, so the lab cannot tell when its switch ` +
            `was applied: ${again}`,
    );
}

/** `Installation patch lab-calico-installation` from a patch's URN (`urn:pulumi:…::kubernetes:operator.tigera.io/v1:InstallationPatch::lab-calico-installation`). */
function asObjectName(urn: string): string {
    const [type = "", name = urn] = urn.split("::").slice(-2);
    const kind = /:(\w+)Patch$/.exec(type)?.[1];
    return kind === undefined ? name : `${kind} patch ${name}`;
}
