/**
 * A bound token of a service account, as the kubelet projects one into a pod
 * (TokenRequest, authentication.k8s.io/v1), for the tier's processes that run as a pod would.
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
