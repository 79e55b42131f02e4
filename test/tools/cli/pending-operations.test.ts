import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    pendingLines,
    settlePendingOperations,
    sortPending,
    type ExportedStack,
    type PendingOperation,
} from "../../../tools/cli/pending-operations";

const op = (type: string, resourceType: string, name: string): PendingOperation => ({
    type,
    resource: {
        urn: `urn:pulumi:dev::aks-calico-lab::${resourceType}::${name}`,
        type: resourceType,
    },
});
// What the tier's stack held after the engine was SIGKILLed during the wait (fault 1a).
const WAIT = op("creating", "command:local:Command", "calico-wait");
const PATCH = op(
    "updating",
    "kubernetes:operator.tigera.io/v1:InstallationPatch",
    "calico-installation",
);
const CLUSTER = op("creating", "azure-native:containerservice:ManagedCluster", "lab-aks");

describe("pending operations", () => {
    it("the lab's steps and Kubernetes objects are dropped; an Azure create is left to the user", () => {
        const { drop, keep } = sortPending([WAIT, CLUSTER, PATCH]);
        assert.deepEqual(drop, [WAIT, PATCH]);
        assert.deepEqual(keep, [CLUSTER]);
    });
    it("each kind gets one line; none when nothing is pending", () => {
        assert.deepEqual(pendingLines("dev", [], []), []);
        const [dropped, left, ...rest] = pendingLines("dev", [WAIT], [CLUSTER]);
        assert.deepEqual(rest, []);
        assert.match(
            dropped ?? "",
            /^cleared 1 operation\(s\) .* stack dev: calico-wait \(creating\); this update runs them again$/,
        );
        assert.match(left ?? "", /lab-aks \(creating\).*`pulumi refresh --stack dev`/);
    });
    it("imports the stack without the dropped ones, and only when there is one to drop", async () => {
        const imported: ExportedStack[] = [];
        const state = (pending: PendingOperation[]): ExportedStack => ({
            version: 3,
            deployment: { pending_operations: pending },
        });
        const stack = (exported: ExportedStack) => ({
            exportStack: () => Promise.resolve(exported),
            importStack: (s: ExportedStack) => {
                imported.push(s);
                return Promise.resolve();
            },
        });
        assert.equal(
            (await settlePendingOperations(stack(state([WAIT, CLUSTER])), "dev")).length,
            2,
        );
        assert.deepEqual(imported, [state([CLUSTER])]);
        assert.equal((await settlePendingOperations(stack(state([CLUSTER])), "dev")).length, 1);
        assert.deepEqual(
            await settlePendingOperations(stack({ version: 3, deployment: {} }), "dev"),
            [],
        );
        assert.equal(imported.length, 1);
    });
});
