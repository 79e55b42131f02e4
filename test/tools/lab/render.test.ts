import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineTail, renderConfig, renderOutputs } from "../../../tools/lab/render";

describe("renderOutputs", () => {
    const outputs = {
        kubeconfig: { value: "a: 1\nb: 2", secret: true },
        nodes: { value: 2, secret: false },
    };
    it("masks secrets unless --show-secrets", () => {
        assert.equal(
            renderOutputs(outputs, false, "kubeconfig"),
            "[secret] (--show-secrets prints it)\n",
        );
        assert.equal(renderOutputs(outputs, true, "kubeconfig"), "a: 1\nb: 2\n");
        assert.equal(
            renderOutputs(outputs, true),
            'OUTPUT      VALUE\nkubeconfig  "a: 1\\nb: 2"\nnodes       2\n',
        );
    });
    it("names the outputs there are when asked for one that is not", () => {
        assert.throws(
            () => renderOutputs(outputs, false, "url"),
            /no output "url" \(it has: kubeconfig, nodes\)/,
        );
    });
});

describe("renderConfig", () => {
    it("masks secret values", () => {
        assert.equal(
            renderConfig(
                {
                    "aks-calico-lab:dataplane": { value: "bpf", secret: false },
                    "azure-native:clientSecret": { value: "s", secret: true },
                },
                false,
            ),
            "KEY                        VALUE\naks-calico-lab:dataplane   bpf\nazure-native:clientSecret  [secret]\n",
        );
    });
});

describe("LineTail", () => {
    it("keeps the last lines across chunks split mid-line", () => {
        const tail = new LineTail(2);
        tail.push("one\ntw");
        tail.push("o\nthree\nfo");
        assert.deepEqual(tail.last(), ["three", "fo"]);
        tail.push("ur\n");
        assert.deepEqual(tail.last(), ["three", "four"]);
    });
});
