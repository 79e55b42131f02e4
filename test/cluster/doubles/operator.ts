/**
 * The Tigera operator double: the installation controller's reactions that the lab depends on, as
 * pure functions over API objects; run.ts reads the objects, calls these in the real reconcile's
 * order and writes what they return.
 *
 * What it imitates (tigera/operator at v1.38.6, which ships Calico 3.30.3, and v1.40.2, which
 * ships 3.31.2: config/calico_versions.yml; the AKS pairs of ../shared/crds/PROVENANCE.md), in
 * pkg/controller/installation/core_controller.go Reconcile:
 * 1. utils.PopulateK8sServiceEndPoint: the `kubernetes-services-endpoint` ConfigMap's host and port,
 *    kept in memory when the ConfigMap goes (NotFound is not an error) → `nextEndpoint`;
 * 2. PatchFelixConfiguration(setDefaultsOnFelixConfiguration, setNftablesMode) before rendering
 *    → `nftablesModePatch`;
 * 3. the calico-node DaemonSet as pkg/render/node.go renders it → `renderCalicoNode` (only the
 *    parts a dataplane or the endpoint changes), and typha / kube-controllers env
 *    (render/typha.go, kubecontrollers/kube-controllers.go: K8sServiceEp.EnvVars) → `renderEndpointEnv`;
 * 4. after status.ReadyToMonitor, PatchFelixConfiguration(setBPFUpdatesOnFelixConfiguration)
 *    with bpf.go's annotation guard → `bpfEnabledPatch`;
 * 5. SetDegraded on error, else ClearDegraded; SetMetaData(Installation) deferred, so
 *    observedGeneration follows every reconcile;
 * and pkg/controller/status/status.go, whose loop (every 5 s) turns the DaemonSet's rollout and
 * the degraded reason into TigeraStatus conditions → `tigeraStatusConditions`.
 * Writes go as JSON merge patches (controller-runtime client.MergeFrom), under the field manager
 * the API server derives from the operator binary's user agent, `operator` (build/Dockerfile
 * ENTRYPOINT /usr/bin/operator).
 * Not imitated: the defaults written back into the Installation and its status (the harness lays
 * them down as the operator leaves them), setDefaultsOnFelixConfiguration (likewise), the rest of
 * the render (the double patches only what a dataplane or the endpoint changes), the status
 * manager's failing-pod checks, and every other controller.
 */
import { asRecord, field, type Unstructured } from "../../../core/unstructured";

/** Operator 1.38 manages Calico 3.30, 1.40 manages 3.31 (config/calico_versions.yml). */
export type OperatorVersion = "1.38" | "1.40";

/** The operator's user agent as field manager of its merge patches. */
export const OPERATOR_FIELD_MANAGER = "operator";

/** pkg/render/node.go BPFOperatorAnnotation @v1.38.6 and @v1.40.2. */
export const BPF_ANNOTATION = "operator.tigera.io/bpfEnabled";

export interface Endpoint {
    readonly host: string;
    readonly port: string;
}

/**
 * What the operator renders with after reading the ConfigMap (utils.go PopulateK8sServiceEndPoint
 * @v1.38.6 and @v1.40.2): its values when present, else whatever it had (its own
 * KUBERNETES_SERVICE_* env at start, k8sapi/k8s-endpoint.go).
 */
export function nextEndpoint(
    previous: Endpoint | undefined,
    configMapData: Readonly<Record<string, string>> | undefined,
): Endpoint | undefined {
    if (configMapData === undefined) return previous;
    return {
        host: configMapData.KUBERNETES_SERVICE_HOST ?? "",
        port: configMapData.KUBERNETES_SERVICE_PORT ?? "",
    };
}

/** k8sapi ServiceEndpoint.EnvVars: nothing unless both host and port are set. */
function endpointEnv(endpoint: Endpoint | undefined): { name: string; value: string }[] {
    if (endpoint === undefined || endpoint.host === "" || endpoint.port === "") return [];
    return [
        { name: "KUBERNETES_SERVICE_HOST", value: endpoint.host },
        { name: "KUBERNETES_SERVICE_PORT", value: endpoint.port },
    ];
}

const linuxDataplane = (installation: unknown): unknown =>
    field(installation, "spec", "calicoNetwork", "linuxDataplane");

/** InstallationSpec.BPFEnabled (api/v1/installation_types.go). */
export const installationWantsBpf = (installation: unknown): boolean =>
    linuxDataplane(installation) === "BPF";

/**
 * setNftablesMode: only when linuxDataplane is set; Nftables → Enabled, else Disabled on 1.38
 * (core_controller.go @v1.38.6); 1.40 counts BPF as nftables (InstallationSpec.IsNftables, "BPF is
 * included here as it uses nftables", api/v1/installation_types.go @v1.40.2; DockerEE excepted,
 * not AKS). Undefined when FelixConfiguration already says so (an empty merge patch writes nothing).
 */
export function nftablesModePatch(
    version: OperatorVersion,
    installation: unknown,
    felixConfiguration: unknown,
): Unstructured | undefined {
    const dataplane = linuxDataplane(installation);
    if (typeof dataplane !== "string") return undefined;
    const nftables = dataplane === "Nftables" || (version === "1.40" && dataplane === "BPF");
    const mode = nftables ? "Enabled" : "Disabled";
    if (field(felixConfiguration, "spec", "nftablesMode") === mode) return undefined;
    return { spec: { nftablesMode: mode } };
}

/** The outcome of setBPFUpdatesOnFelixConfiguration: a patch, nothing to do, or its error. */
export type BpfUpdate =
    | { readonly kind: "patch"; readonly patch: Unstructured }
    | { readonly kind: "none" }
    | { readonly kind: "error"; readonly message: string };

/**
 * bpf.go isRolloutCompleteWithBPFVolumes: the DaemonSet controller saw the latest spec, the
 * template has the `bpffs` volume, and every scheduled pod is updated and available.
 */
export function rolloutCompleteWithBpfVolumes(daemonSet: unknown): boolean {
    const status = (key: string): number => {
        const value = field(daemonSet, "status", key);
        return typeof value === "number" ? value : 0;
    };
    if (status("observedGeneration") !== (field(daemonSet, "metadata", "generation") ?? 0)) {
        return false;
    }
    const volumes = field(daemonSet, "spec", "template", "spec", "volumes");
    const hasBpffs =
        Array.isArray(volumes) && volumes.some((volume) => field(volume, "name") === "bpffs");
    return (
        hasBpffs &&
        status("currentNumberScheduled") === status("updatedNumberScheduled") &&
        status("currentNumberScheduled") === status("numberAvailable")
    );
}

/** The message of bpf.go bpfValidateAnnotations (same at v1.38.6 and v1.40.2). */
const MODIFIED_BY_SOMEONE_ELSE =
    'Unable to set bpfEnabled: FelixConfiguration "default" has been modified by someone else, refusing to override potential user configuration.';

/**
 * core_controller.go setBPFUpdatesOnFelixConfiguration with bpf.go setBPFEnabledOnFelixConfiguration:
 * towards BPF, bpfEnabled true once the rollout with the BPF volumes is complete and it is not
 * true yet; away from BPF, false whenever it is unset or true. Each write sets the annotation with
 * the field, and is refused when the two disagree (someone else wrote bpfEnabled).
 */
export function bpfEnabledPatch(
    installation: unknown,
    felixConfiguration: unknown,
    calicoNode: unknown,
): BpfUpdate {
    const wantBpf = installationWantsBpf(installation);
    const current = field(felixConfiguration, "spec", "bpfEnabled");
    const needed = wantBpf
        ? current !== true && rolloutCompleteWithBpfVolumes(calicoNode)
        : current === undefined || current === null || current === true;
    if (!needed) return { kind: "none" };
    const annotation = field(felixConfiguration, "metadata", "annotations", BPF_ANNOTATION);
    const annotated = typeof annotation === "string" && annotation !== "" ? annotation : undefined;
    const setInSpec = typeof current === "boolean" ? current : undefined;
    // strconv.ParseBool accepts more spellings; the operator itself only writes "true"/"false".
    const matches =
        (annotated === undefined && setInSpec === undefined) ||
        (annotated !== undefined && setInSpec !== undefined && annotated === String(setInSpec));
    if (!matches) return { kind: "error", message: MODIFIED_BY_SOMEONE_ELSE };
    return {
        kind: "patch",
        patch: {
            metadata: { annotations: { [BPF_ANNOTATION]: String(wantBpf) } },
            spec: { bpfEnabled: wantBpf },
        },
    };
}

type Named = Unstructured & { name?: unknown };

const byName = (items: unknown, name: string): Named | undefined =>
    Array.isArray(items)
        ? (items.find((item) => field(item, "name") === name) as Named | undefined)
        : undefined;

/** The list with the item named like `item` replaced in place, or appended; or removed (undefined). */
function upsert(items: unknown, name: string, item: Named | undefined): Named[] {
    const list = Array.isArray(items) ? (items as Named[]) : [];
    const index = list.findIndex((entry) => field(entry, "name") === name);
    if (item === undefined) return list.filter((_, i) => i !== index);
    if (index < 0) return [...list, item];
    return list.map((entry, i) => (i === index ? item : entry));
}

/** A container's env with the endpoint's variables set (in place) or removed. */
function withEndpointEnv(container: Named, endpoint: Endpoint | undefined): Named {
    const wanted = new Map(endpointEnv(endpoint).map((env) => [env.name, env]));
    let env: unknown = container.env;
    for (const name of ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"]) {
        env = upsert(env, name, wanted.get(name));
    }
    return { ...container, env };
}

const hostPath = (path: string, type: string) => ({ hostPath: { path, type } });

/** The volumes of BPF mode (render/node.go: always on 1.40, only for BPF on 1.38). */
const BPF_VOLUMES: Named[] = [
    { name: "sys-fs", ...hostPath("/sys/fs", "DirectoryOrCreate") },
    { name: "bpffs", ...hostPath("/sys/fs/bpf", "Directory") },
    { name: "nodeproc", hostPath: { path: "/proc" } },
];
/** calico-node's state directory, which the BPF init container mounts (render/node.go varRunCalicoVolume). */
const VAR_RUN_CALICO: Named = {
    name: "var-run-calico",
    ...hostPath("/var/run/calico", "DirectoryOrCreate"),
};

/**
 * The init container that mounts bpffs: `mount-bpffs` on 1.38 (BPF only), `ebpf-bootstrap` on 1.40
 * (render/node.go bpfBootstrapInitContainer @v1.40.2, rendered in every mode).
 */
export function bpfInitContainer(version: OperatorVersion, bpf: boolean, image: unknown): Named {
    const command = ["calico-node", "-init"];
    if (version === "1.40" && !bpf) command.push("-best-effort");
    return {
        name: version === "1.38" ? "mount-bpffs" : "ebpf-bootstrap",
        image,
        command,
        // securitycontext.NewRootContext(true)
        securityContext: {
            allowPrivilegeEscalation: true,
            capabilities: { drop: ["ALL"] },
            privileged: true,
            runAsGroup: 0,
            runAsNonRoot: false,
            runAsUser: 0,
            seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [
            { mountPath: "/sys/fs", name: "sys-fs", mountPropagation: "Bidirectional" },
            {
                mountPath: "/var/run/calico",
                name: "var-run-calico",
                mountPropagation: "Bidirectional",
            },
            { mountPath: "/nodeproc", name: "nodeproc", readOnly: true },
        ],
    };
}

export interface NodeRender {
    readonly version: OperatorVersion;
    readonly bpf: boolean;
    readonly endpoint: Endpoint | undefined;
}

/**
 * calico-node's pod template as the operator renders it for a dataplane and an endpoint, from the
 * current one (only what those change is touched, in place):
 * - 1.38 (render/node.go @v1.38.6): BPF adds init container `mount-bpffs` (`calico-node -init`),
 *   volumes sys-fs, bpffs, nodeproc, and /sys/fs/bpf mounted in calico-node; iptables has none;
 * - 1.40 (render/node.go @v1.40.2): those always ("we need to cleanup the BPF state when
 *   switching dataplanes"), init container `ebpf-bootstrap`, with `-best-effort` unless BPF;
 * - both: calico-node's env carries KUBERNETES_SERVICE_HOST/PORT when the endpoint has them.
 * So a dataplane change changes the template on both lines, and the DaemonSet controller rolls it.
 */
export function renderCalicoNodeTemplate(template: unknown, render: NodeRender): Unstructured {
    const podSpec = asRecord(field(template, "spec")) ?? {};
    const main = byName(podSpec.containers, "calico-node") ?? { name: "calico-node" };
    const withBpf = render.version === "1.40" || render.bpf;
    const initName = render.version === "1.38" ? "mount-bpffs" : "ebpf-bootstrap";
    // Existing items keep what the API server defaulted into them (terminationMessagePath, ...),
    // so a render that changes nothing compares equal and writes nothing.
    const existingInit = byName(podSpec.initContainers, initName);
    const initContainers = upsert(
        podSpec.initContainers,
        initName,
        withBpf
            ? { ...existingInit, ...bpfInitContainer(render.version, render.bpf, main.image) }
            : undefined,
    );
    let volumes: unknown = podSpec.volumes;
    for (const volume of BPF_VOLUMES) {
        const name = String(volume.name);
        volumes = upsert(volumes, name, withBpf ? (byName(volumes, name) ?? volume) : undefined);
    }
    if (withBpf && byName(volumes, "var-run-calico") === undefined) {
        volumes = upsert(volumes, "var-run-calico", VAR_RUN_CALICO);
    }
    const mounts = Array.isArray(main.volumeMounts) ? (main.volumeMounts as Named[]) : [];
    const volumeMounts = withBpf
        ? mounts.some((mount) => field(mount, "name") === "bpffs")
            ? mounts
            : [...mounts, { mountPath: "/sys/fs/bpf", name: "bpffs" }]
        : mounts.filter((mount) => field(mount, "name") !== "bpffs");
    const calicoNode = withEndpointEnv({ ...main, volumeMounts }, render.endpoint);
    const spec: Unstructured = {
        ...podSpec,
        initContainers,
        containers: upsert(podSpec.containers, "calico-node", calicoNode),
        volumes,
    };
    if (initContainers.length === 0) delete spec.initContainers;
    return { ...asRecord(template), spec };
}

/** A Deployment's pod template with the endpoint's env on one container (typha, kube-controllers). */
export function renderEndpointEnv(
    template: unknown,
    containerName: string,
    endpoint: Endpoint | undefined,
): Unstructured {
    const podSpec = asRecord(field(template, "spec")) ?? {};
    const container = byName(podSpec.containers, containerName);
    if (container === undefined) return asRecord(template) ?? {};
    return {
        ...asRecord(template),
        spec: {
            ...podSpec,
            containers: upsert(
                podSpec.containers,
                containerName,
                withEndpointEnv(container, endpoint),
            ),
        },
    };
}

/** One TigeraStatus condition (api/v1/tigerastatus_types.go TigeraStatusCondition). */
export interface TigeraCondition {
    readonly type: "Available" | "Progressing" | "Degraded";
    readonly status: "True" | "False";
    readonly reason: string;
    readonly message: string;
    readonly lastTransitionTime: string;
    readonly observedGeneration?: number;
}

export interface StatusInput {
    /** The DaemonSets the controller told the status manager about (AddDaemonsets). */
    readonly daemonSets: readonly { readonly key: string; readonly object: unknown }[];
    /** SetDegraded's reason and "msg: err" since the last ClearDegraded. */
    readonly degraded: { readonly reason: string; readonly message: string } | undefined;
    /** The Installation generation of the last reconcile (SetMetaData). */
    readonly observedGeneration: number | undefined;
    readonly now: Date;
}

/** status.go syncState for DaemonSets: what still progresses. */
function progressingMessages(daemonSets: StatusInput["daemonSets"]): string[] {
    return daemonSets.flatMap(({ key, object }) => {
        const status = (name: string): number => {
            const value = field(object, "status", name);
            return typeof value === "number" ? value : 0;
        };
        const generation = Number(field(object, "metadata", "generation") ?? 0);
        const desired = status("desiredNumberScheduled");
        if (status("updatedNumberScheduled") < desired) {
            return [
                `DaemonSet "${key}" update is rolling out (${status("updatedNumberScheduled")} out of ${desired} updated)`,
            ];
        }
        if (status("numberUnavailable") > 0) {
            return [
                `DaemonSet "${key}" is not available (awaiting ${status("numberUnavailable")} nodes)`,
            ];
        }
        if (status("numberAvailable") === 0 && desired !== 0) {
            return [`DaemonSet "${key}" is not yet scheduled on any nodes`];
        }
        if (generation > status("observedGeneration")) {
            return [
                `DaemonSet "${key}" update is being processed (generation ${generation}, observed generation ${status("observedGeneration")})`,
            ];
        }
        return [];
    });
}

/**
 * status.go updateStatus and set: Available when nothing progresses and nothing is degraded;
 * Progressing with the rollout's messages; Degraded with the explicit reason. Every condition
 * carries the Installation's generation as observedGeneration; lastTransitionTime moves only when
 * a status flips. Undefined when the conditions would not change (set skips the write).
 */
export function tigeraStatusConditions(
    previous: readonly TigeraCondition[],
    input: StatusInput,
): TigeraCondition[] | undefined {
    const progressing = progressingMessages(input.daemonSets);
    const degraded = input.degraded !== undefined;
    const available = !degraded && progressing.length === 0;
    const allAvailable = { reason: "AllObjectsAvailable" };
    const wanted: Omit<TigeraCondition, "lastTransitionTime" | "observedGeneration">[] = [
        available
            ? {
                  type: "Available",
                  status: "True",
                  ...allAvailable,
                  message: "All objects available",
              }
            : { type: "Available", status: "False", reason: "Unknown", message: "" },
        progressing.length > 0
            ? {
                  type: "Progressing",
                  status: "True",
                  reason: "ResourceNotReady",
                  message: progressing.join("\n"),
              }
            : available
              ? {
                    type: "Progressing",
                    status: "False",
                    ...allAvailable,
                    message: "All Objects Available",
                }
              : { type: "Progressing", status: "False", reason: "Unknown", message: "" },
        input.degraded !== undefined
            ? { type: "Degraded", status: "True", ...input.degraded }
            : available
              ? {
                    type: "Degraded",
                    status: "False",
                    ...allAvailable,
                    message: "All Objects Available",
                }
              : { type: "Degraded", status: "False", reason: "Unknown", message: "" },
    ];
    const next = [...previous];
    for (const condition of wanted) {
        const index = next.findIndex((c) => c.type === condition.type);
        const old = index < 0 ? undefined : next[index];
        const updated: TigeraCondition = {
            ...condition,
            lastTransitionTime:
                old !== undefined && old.status === condition.status
                    ? old.lastTransitionTime
                    : input.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
            ...(input.observedGeneration ? { observedGeneration: input.observedGeneration } : {}),
        };
        if (index < 0) next.push(updated);
        else next[index] = updated;
    }
    return sameJson(next, previous) ? undefined : next;
}

/** JSON with object keys sorted: the API server returns objects with their keys in its own order. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, item: unknown) => {
        const record = asRecord(item);
        if (record === undefined) return item;
        return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
    });
}

/** Whether two API values are the same data (reflect.DeepEqual on the decoded objects). */
export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
