import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { clusterStepProvider } from "../../../components/calico/cluster-step";

const create = clusterStepProvider.create.bind(clusterStepProvider);
const diff = (olds: object, news: object) =>
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the provider defines diff
    clusterStepProvider.diff!("id", olds as never, news as never);

describe("the cluster step's dynamic provider", () => {
    it("runs the command with the kubeconfig in LAB_KUBECONFIG only, and keeps no kubeconfig", async () => {
        const command = 'test "$LAB_KUBECONFIG" = "kind: Config" && echo every Felix runs eBPF';
        const result = await create({
            command,
            kubeconfig: "kind: Config",
            triggers: ["bpf", "T"],
        });
        assert.deepEqual(result.outs, {
            command,
            triggers: ["bpf", "T"],
            output: "every Felix runs eBPF",
        });
    });

    it("fails with the exit code and the last lines the step printed", async () => {
        await assert.rejects(
            create({
                command: "echo one; echo 'timed out: node-1 still on iptables' >&2; exit 3",
                kubeconfig: "k",
                triggers: [],
            }),
            /failed \(3\): one \| timed out: node-1 still on iptables$/,
        );
    });

    it("reruns (replaces) only when the triggers change; a new command line alone is an update", async () => {
        const old = { command: "a", triggers: ["iptables", "T1"] };
        assert.deepEqual(await diff(old, { command: "a", triggers: ["bpf", "T2"] }), {
            changes: true,
            replaces: ["triggers"],
        });
        assert.deepEqual(await diff(old, { command: "b", triggers: ["iptables", "T1"] }), {
            changes: true,
            replaces: [],
        });
        assert.deepEqual(await diff(old, { ...old, kubeconfig: "rotated" }), {
            changes: false,
            replaces: [],
        });
    });

    it("serializes as Pulumi's dynamic provider host loads it, without the modules it was written in", async () => {
        // As pulumi.dynamic.Resource does (sdk/nodejs/dynamic/index.ts serializeProvider @v3.276.0).
        const provider = clusterStepProvider;
        const serialized = await pulumi.runtime.serializeFunction(() => provider, {
            allowSecrets: false,
        });
        assert.match(serialized.text, /kubeconfigVariable: "LAB_KUBECONFIG"/);
        assert.doesNotMatch(serialized.text, /clusterStepCommand|ClusterStep\b|__import/);
    });
});
