import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    type ApiServer,
    aksApiServer,
    apiServerFromUrl,
    describeApiServer,
    kubeconfigApiServer,
} from "../../core/api-server";

const kubeconfig = (server: string, current = "lab") =>
    [
        `current-context: ${current}`,
        "contexts: [{ name: lab, context: { cluster: c1 } }, { name: b, context: { cluster: c2 } }]",
        `clusters: [{ name: c2, cluster: { server: "https://other:1" } }, { name: c1, cluster: { server: "${server}" } }]`,
    ].join("\n");

/** The reason a parser gave, failing the test when it gave an address instead. */
function reason(result: ApiServer | string): string {
    assert.equal(typeof result, "string", JSON.stringify(result));
    return result as string;
}

describe("apiServerFromUrl", () => {
    it("takes the URL's host and port, 443 when it names none", () => {
        assert.deepEqual(apiServerFromUrl("https://10.0.0.1:6443"), {
            host: "10.0.0.1",
            port: 6443,
        });
        assert.deepEqual(apiServerFromUrl("https://x.hcp.eastus.azmk8s.io"), {
            host: "x.hcp.eastus.azmk8s.io",
            port: 443,
        });
        assert.deepEqual(apiServerFromUrl("https://x.example:443/"), {
            host: "x.example",
            port: 443,
        });
    });

    it("gives an IPv6 host without brackets, as KUBERNETES_SERVICE_HOST takes it", () => {
        assert.deepEqual(apiServerFromUrl("https://[fd00::1]:6443"), {
            host: "fd00::1",
            port: 6443,
        });
        assert.equal(describeApiServer({ host: "fd00::1", port: 6443 }), "[fd00::1]:6443");
    });

    it("says why it cannot use a server behind a path, over http, or not a URL", () => {
        assert.match(reason(apiServerFromUrl("https://rancher/k8s/clusters/c-1")), /has a path/);
        assert.match(reason(apiServerFromUrl("http://10.0.0.1:8080")), /http:, not https:/);
        assert.match(reason(apiServerFromUrl("10.0.0.1:6443")), /not|http/);
        assert.equal(apiServerFromUrl("not a url"), "its server is not a URL");
    });
});

describe("kubeconfigApiServer", () => {
    it("follows current-context to its cluster's server, not the first cluster listed", () => {
        assert.deepEqual(kubeconfigApiServer(kubeconfig("https://10.1.2.3:6443")), {
            host: "10.1.2.3",
            port: 6443,
        });
        assert.deepEqual(kubeconfigApiServer(kubeconfig("https://10.1.2.3:6443", "b")), {
            host: "other",
            port: 1,
        });
    });

    it("reads a JSON kubeconfig too (YAML's subset)", () => {
        const json = JSON.stringify({
            "current-context": "a",
            contexts: [{ name: "a", context: { cluster: "k" } }],
            clusters: [{ name: "k", cluster: { server: "https://k.example:8443" } }],
        });
        assert.deepEqual(kubeconfigApiServer(json), { host: "k.example", port: 8443 });
    });

    it("says what is missing", () => {
        assert.equal(kubeconfigApiServer("a: ["), "it is not YAML");
        assert.equal(kubeconfigApiServer("kind: Config"), "it has no current-context");
        assert.match(
            reason(kubeconfigApiServer(kubeconfig("https://x", "gone"))),
            /"gone" is not among its contexts/,
        );
        assert.match(
            reason(
                kubeconfigApiServer(
                    kubeconfig("https://x").replace(/server: "https:\/\/x"/, "insecure: true"),
                ),
            ),
            /has no server URL/,
        );
    });
});

describe("aksApiServer", () => {
    it("is the FQDN on 443", () => {
        assert.deepEqual(aksApiServer("a.hcp.eastus.azmk8s.io"), {
            host: "a.hcp.eastus.azmk8s.io",
            port: 443,
        });
    });
});
