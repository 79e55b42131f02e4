/**
 * A service account's access for the tier's processes that run as a pod would: a bound token, as
 * the kubelet projects one into a pod (TokenRequest, authentication.k8s.io/v1), and the binding
 * that stands in for a ClusterRole the tier has no source for.
 */
import type { KubeApi } from "./kube-api";

export async function serviceAccountToken(
    api: KubeApi,
    namespace: string,
    name: string,
): Promise<string> {
    const request = await api.json<{ status: { token: string } }>(
        "POST",
        `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
        {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { expirationSeconds: 24 * 3600 },
        },
    );
    return request.status.token;
}

/**
 * Lets a service account do anything (cluster-admin), through a ClusterRoleBinding `<namespace>-<name>-tier`:
 * the tier's stand-in for a ClusterRole it has no source for.
 */
export async function bindClusterAdmin(
    api: KubeApi,
    namespace: string,
    name: string,
): Promise<void> {
    await api.apply({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${name}-tier` },
        roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "cluster-admin",
        },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
    });
}
