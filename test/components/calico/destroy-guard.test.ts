import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { destroyGuardProvider } from "../../../components/calico/destroy-guard";

/* eslint-disable @typescript-eslint/no-non-null-assertion -- the provider defines diff and delete */
const remove = (command: string) =>
    destroyGuardProvider.delete!("destroy-guard", { command, kubeconfig: "kind: Config" });
const diff = (olds: object, news: object) =>
    destroyGuardProvider.diff!("destroy-guard", olds as never, news as never);
/* eslint-enable @typescript-eslint/no-non-null-assertion */

describe("the destroy guard's dynamic provider", () => {
    it("runs nothing when created, and keeps the kubeconfig its delete needs", async () => {
        const inputs = { command: "exit 1", kubeconfig: "kind: Config" };
        const created = await destroyGuardProvider.create(inputs);
        assert.deepEqual(created.outs, inputs);
    });

    it("fails its delete, with what the check printed, when the check refuses", async () => {
        await assert.rejects(
            remove("echo 'the cluster still runs eBPF: flip it back first' >&2; exit 1"),
            /failed \(1\): the cluster still runs eBPF: flip it back first/,
        );
    });

    it("deletes when the check passes, handing it the kubeconfig in LAB_KUBECONFIG", async () => {
        await remove('test "$LAB_KUBECONFIG" = "kind: Config"');
    });

    it("never asks for a replacement (which would run the check): a new kubeconfig is an update", async () => {
        const olds = { command: "c", kubeconfig: "a" };
        assert.deepEqual(await diff(olds, { ...olds, kubeconfig: "b" }), { changes: true });
        assert.deepEqual(await diff(olds, olds), { changes: false });
    });
});
