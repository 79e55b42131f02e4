import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoPulumiCliError } from "../../../tools/cli/pulumi-cli";
import {
    parseKubeconfigOutput,
    parseStackOutputs,
    readStackOutputs,
} from "../../../tools/cli/stack-outputs";
import { commandError, fakeStack } from "../../support/pulumi-fakes";

describe("parseStackOutputs", () => {
    it("takes kubeconfig, yaobankUrl and dataplane", () => {
        const outputs = parseStackOutputs(
            {
                kubeconfig: "apiVersion: v1",
                yaobankUrl: "http://20.1.2.3/",
                dataplane: "bpf",
                clusterName: "x",
            },
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
            () => parseStackOutputs({}, "dev"),
            /stack dev has no kubeconfig, yaobankUrl, dataplane output yet: run `npm run lab -- up` first \(or the LoadBalancer has no IP yet\)/,
        );
        assert.throws(
            () => parseStackOutputs({ kubeconfig: "k", yaobankUrl: "u", dataplane: "vpp" }, "dev"),
            /unexpected dataplane output "vpp"/,
        );
    });
    it("parseKubeconfigOutput wants only the kubeconfig", () => {
        assert.equal(parseKubeconfigOutput({ kubeconfig: "k" }, "dev"), "k");
        assert.throws(
            () => parseKubeconfigOutput({ yaobankUrl: "u" }, "lab2"),
            /stack lab2 has no kubeconfig/,
        );
    });
});

describe("readStackOutputs", () => {
    const outputs = {
        kubeconfig: { value: "apiVersion: v1", secret: true },
        yaobankUrl: { value: "http://20.1.2.3/", secret: false },
        dataplane: { value: "iptables", secret: false },
    };

    it("selects the stack without creating it and parses its outputs, secrets in clear", async () => {
        const stack = fakeStack("dev", { outputs });
        const requests: unknown[] = [];
        const read = await readStackOutputs("dev", "/project", undefined, (request) => {
            requests.push(request);
            return Promise.resolve(stack);
        });
        assert.deepEqual(requests, [{ stack: "dev", create: false }]);
        assert.deepEqual(read, {
            kubeconfig: "apiVersion: v1",
            yaobankUrl: "http://20.1.2.3/",
            dataplane: "iptables",
        });
        assert.deepEqual(stack.calls, ["outputs"]);
    });

    it("reports a wrong passphrase as such, not as a missing stack", async () => {
        const stack = fakeStack("dev", {
            fail: { outputs: commandError("error: incorrect passphrase") },
        });
        await assert.rejects(
            readStackOutputs("dev", "/project", undefined, () => Promise.resolve(stack)),
            (error: Error) =>
                /passphrase is not stack dev's/.test(error.message) &&
                !/does the stack exist/.test(error.message),
        );
    });

    it("without a usable CLI, says how to get one or to pass --kubeconfig", async () => {
        await assert.rejects(
            readStackOutputs("dev", "/project", parseKubeconfigOutput, () =>
                Promise.reject(
                    new NoPulumiCliError("no usable Pulumi CLI (pulumi on PATH: not found)"),
                ),
            ),
            /no usable Pulumi CLI \(pulumi on PATH: not found\); or name the cluster by hand \(see --help\)/,
        );
    });
});
