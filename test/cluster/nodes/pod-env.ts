/**
 * The environment Felix gets in a calico-node container, and Typha in calico-typha, as the kubelet
 * and runit build them, and the Secret and ConfigMap volumes they read their TLS files from. Pure.
 *
 * - The kubelet: the container's `env` (values and field references) over its `envFrom` ConfigMaps,
 *   over the `kubernetes` Service's KUBERNETES_SERVICE_HOST/PORT that it always injects
 *   (k8s.io/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables @v1.36.3).
 * - runit's felix service: FELIX_FELIXHOSTNAME from NODENAME and FELIX_DATASTORETYPE from
 *   DATASTORE_TYPE (projectcalico/calico node/filesystem/etc/service/available/felix/run @v3.31.7).
 * - The tier's translations: the API server's address as a node reaches it (on AKS the endpoint
 *   ConfigMap's host is the API server's FQDN and the kubernetes Service's VIP is kube-proxy's;
 *   here the API server listens on this machine's loopback and a node reaches it at the hub's
 *   forwarder, so either address maps to the hub's); and a file under a Secret or ConfigMap
 *   volume's mount path, which the runtime writes in a folder of its own (a node's processes share
 *   the node's mount namespace, with no container root to mount into).
 */
import { field } from "../../../core/unstructured";

export interface EnvSources {
    /** The pod object as the API server serves it. */
    readonly pod: unknown;
    readonly container: string;
    /** ConfigMaps by name in the pod's namespace (data only). */
    readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
    /** The `kubernetes` Service's cluster IP and port. */
    readonly kubernetesService: { readonly host: string; readonly port: string };
}

export interface ApiServerRoute {
    /** Addresses (host:port) that mean "the API server" in the pod's view. */
    readonly aliases: readonly string[];
    /** Where the node reaches it. */
    readonly host: string;
    readonly port: string;
}

const text = (value: unknown): string | undefined =>
    typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

function containerOf(pod: unknown, name: string): unknown {
    const containers = field(pod, "spec", "containers");
    return Array.isArray(containers)
        ? containers.find((c: unknown) => field(c, "name") === name)
        : undefined;
}

/** A field reference (`spec.nodeName`, `metadata.name`, `status.podIP`...). */
function fieldRef(pod: unknown, path: string): string | undefined {
    return text(field(pod, ...path.split(".")));
}

/** The container's environment as the kubelet builds it; throws on a missing required reference. */
export function kubeletEnv(sources: EnvSources): Record<string, string> {
    const container = containerOf(sources.pod, sources.container);
    if (container === undefined) throw new Error(`pod has no container ${sources.container}`);
    const env: Record<string, string> = {
        KUBERNETES_SERVICE_HOST: sources.kubernetesService.host,
        KUBERNETES_SERVICE_PORT: sources.kubernetesService.port,
    };
    const envFrom = field(container, "envFrom");
    for (const source of Array.isArray(envFrom) ? envFrom : []) {
        const name = text(field(source, "configMapRef", "name"));
        if (name === undefined) continue;
        const data = sources.configMaps.get(name);
        if (data === undefined && field(source, "configMapRef", "optional") !== true) {
            throw new Error(`envFrom ConfigMap ${name} not found`);
        }
        Object.assign(env, data ?? {});
    }
    const entries = field(container, "env");
    for (const entry of Array.isArray(entries) ? entries : []) {
        const name = text(field(entry, "name"));
        if (name === undefined) continue;
        const value = text(field(entry, "value"));
        const ref = text(field(entry, "valueFrom", "fieldRef", "fieldPath"));
        const key = field(entry, "valueFrom", "configMapKeyRef");
        if (value !== undefined) env[name] = value;
        else if (ref !== undefined) env[name] = fieldRef(sources.pod, ref) ?? "";
        else if (key !== undefined) {
            const data = sources.configMaps.get(text(field(key, "name")) ?? "");
            const found = data?.[text(field(key, "key")) ?? ""];
            if (found !== undefined) env[name] = found;
            else if (field(key, "optional") !== true) {
                throw new Error(`env ${name}: ConfigMap key not found`);
            }
        } else env[name] = "";
    }
    return env;
}

/** runit's felix/run, then the API server's address as the node reaches it. */
export function felixEnv(
    env: Readonly<Record<string, string>>,
    route: ApiServerRoute,
): Record<string, string> {
    const out: Record<string, string> = { ...env };
    if (env["NODENAME"]) out["FELIX_FELIXHOSTNAME"] = env["NODENAME"];
    if (env["DATASTORE_TYPE"]) out["FELIX_DATASTORETYPE"] = env["DATASTORE_TYPE"];
    return apiServerEnv(out, route);
}

/** The API server's address as the node reaches it, for any container that talks to it. */
export function apiServerEnv(
    env: Readonly<Record<string, string>>,
    route: ApiServerRoute,
): Record<string, string> {
    const out: Record<string, string> = { ...env };
    const seen = `${env["KUBERNETES_SERVICE_HOST"] ?? ""}:${env["KUBERNETES_SERVICE_PORT"] ?? ""}`;
    if (!route.aliases.includes(seen)) {
        throw new Error(
            `the pod's API server address ${seen} is neither the kubernetes Service nor the API server (${route.aliases.join(", ")})`,
        );
    }
    out["KUBERNETES_SERVICE_HOST"] = route.host;
    out["KUBERNETES_SERVICE_PORT"] = route.port;
    return out;
}

/** A Secret or ConfigMap volume a container mounts, and which of its keys land where. */
export interface ConfigVolumeMount {
    readonly mountPath: string;
    readonly volume: string;
    readonly source: { readonly kind: "secret" | "configMap"; readonly name: string };
    /** key -> path under the mount; undefined: every key, under its own name. */
    readonly items: ReadonlyMap<string, string> | undefined;
}

/** The container's mounts of Secret and ConfigMap volumes (others are the node's own folders). */
export function configVolumeMounts(pod: unknown, container: string): ConfigVolumeMount[] {
    const volumes = field(pod, "spec", "volumes");
    const mounts = field(containerOf(pod, container), "volumeMounts");
    return (Array.isArray(mounts) ? (mounts as unknown[]) : []).flatMap((mount) => {
        const volume = text(field(mount, "name"));
        const mountPath = text(field(mount, "mountPath"));
        const spec: unknown = Array.isArray(volumes)
            ? (volumes as unknown[]).find((v) => field(v, "name") === volume)
            : undefined;
        const secret = text(field(spec, "secret", "secretName"));
        const configMap = text(field(spec, "configMap", "name"));
        const name = secret ?? configMap;
        if (volume === undefined || mountPath === undefined || name === undefined) return [];
        const items = field(spec, secret === undefined ? "configMap" : "secret", "items");
        return [
            {
                mountPath,
                volume,
                source: { kind: secret === undefined ? "configMap" : "secret", name },
                items: Array.isArray(items)
                    ? new Map(
                          (items as unknown[]).map((item) => [
                              text(field(item, "key")) ?? "",
                              text(field(item, "path")) ?? "",
                          ]),
                      )
                    : undefined,
            },
        ];
    });
}

/** Env values naming a file under a mount path, pointed at the folder that holds that volume. */
export function translateMountedPaths(
    env: Readonly<Record<string, string>>,
    folders: ReadonlyMap<string, string>,
): Record<string, string> {
    const out: Record<string, string> = { ...env };
    for (const [name, value] of Object.entries(env)) {
        for (const [mountPath, folder] of folders) {
            const prefix = mountPath.endsWith("/") ? mountPath : `${mountPath}/`;
            if (value.startsWith(prefix)) out[name] = `${folder}/${value.slice(prefix.length)}`;
        }
    }
    return out;
}
