import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackOutputs } from "../../../tools/cli/stack-outputs";

describe("parseStackOutputs", () => {
    it("takes kubeconfig, yaobankUrl and dataplane", () => {
        const outputs = parseStackOutputs(
            JSON.stringify({
                kubeconfig: "apiVersion: v1",
                yaobankUrl: "http://20.1.2.3/",
                dataplane: "bpf",
                clusterName: "x",
            }),
            "dev",
        );
        assert.deepEqual(outputs, {
            kubeconfig: "apiVersion: v1",
            yaobankUrl: "http://20.1.2.3/",
            dataplane: "bpf",
        });
    });
    it("says what is missing and what to do", () => {
        assert.throws(
            () => parseStackOutputs("{}", "dev"),
            /stack dev has no kubeconfig, yaobankUrl, dataplane output yet: run `npm run lab -- up` first \(or the LoadBalancer has no IP yet\)/,
        );
        assert.throws(() => parseStackOutputs("not json", "dev"), /no JSON outputs/);
        assert.throws(
            () =>
                parseStackOutputs(
                    JSON.stringify({ kubeconfig: "k", yaobankUrl: "u", dataplane: "vpp" }),
                    "dev",
                ),
            /unexpected dataplane output "vpp"/,
        );
    });
});
