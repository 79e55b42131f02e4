import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    appliedAt,
    fieldHolders,
    orphanedProviderHolds,
    takenFrom,
} from "../../core/managed-fields";
import { installationEditedAt, installationMetadata } from "../support/managed-fields";

const LINUX_DATAPLANE = ["spec", "calicoNetwork", "linuxDataplane"];

describe("appliedAt", () => {
    it("is the time of the lab's Apply entry that owns the field, not the operator's writes", () => {
        const metadata = installationMetadata(
            "2026-11-23T10:00:00Z",
            "2026-11-23T10:09:31Z",
            "88121",
        );
        assert.equal(
            appliedAt(metadata, LINUX_DATAPLANE, "aks-calico-lab"),
            "2026-11-23T10:00:00Z",
        );
        assert.equal(appliedAt(metadata, LINUX_DATAPLANE), "2026-11-23T10:00:00Z");
    });

    it("is undefined without a matching entry: other manager, unowned field, no managedFields", () => {
        const metadata = installationMetadata("2026-11-23T10:00:00Z", "2026-11-23T10:09:31Z", "1");
        assert.equal(appliedAt(metadata, LINUX_DATAPLANE, "someone-else"), undefined);
        assert.equal(appliedAt(metadata, ["spec", "cni"]), undefined);
        assert.equal(appliedAt({ name: "default" }, LINUX_DATAPLANE), undefined);
        assert.equal(appliedAt(undefined, LINUX_DATAPLANE), undefined);
    });

    it("stays the same when only the operator wrote since (what a refresh reads back)", () => {
        const before = installationMetadata(
            "2026-11-23T10:00:00Z",
            "2026-11-23T10:09:31Z",
            "88121",
        );
        const refreshed = installationMetadata(
            "2026-11-23T10:00:00Z",
            "2026-11-23T12:44:02Z",
            "90577",
        );
        assert.equal(
            appliedAt(refreshed, LINUX_DATAPLANE, "aks-calico-lab"),
            appliedAt(before, LINUX_DATAPLANE, "aks-calico-lab"),
        );
    });

    it("takes the latest of several Apply entries that own the field", () => {
        const metadata = installationMetadata("2026-11-23T10:00:00Z", "2026-11-23T10:09:31Z", "1");
        const other = {
            manager: "pulumi-kubernetes-1b2c3d",
            operation: "Apply",
            time: "2026-11-23T11:00:00Z",
            fieldsV1: { "f:spec": { "f:calicoNetwork": { "f:linuxDataplane": {} } } },
        };
        const both = { ...metadata, managedFields: [...metadata.managedFields, other] };
        assert.equal(appliedAt(both, LINUX_DATAPLANE), "2026-11-23T11:00:00Z");
        assert.equal(appliedAt(both, LINUX_DATAPLANE, "aks-calico-lab"), "2026-11-23T10:00:00Z");
    });
});

describe("fieldHolders", () => {
    it("names every entry that owns the field, with its operation, and none for a field nobody owns", () => {
        const metadata = installationMetadata("2026-11-23T10:00:00Z", "2026-11-23T10:09:31Z", "1");
        assert.deepEqual(fieldHolders(metadata, LINUX_DATAPLANE), [
            "operator (Update)",
            "aks-calico-lab (Apply)",
        ]);
        assert.deepEqual(fieldHolders(metadata, ["spec", "cni"]), ["kubectl (Update)"]);
        assert.deepEqual(fieldHolders(metadata, ["spec", "registry"]), []);
        assert.deepEqual(fieldHolders({}, LINUX_DATAPLANE), []);
    });
});

describe("orphanedProviderHolds", () => {
    const CTLB = ["spec", "bpfConnectTimeLoadBalancing"];
    const felixHeldBy = (...entries: [string, string, unknown][]) => ({
        managedFields: entries.map(([manager, operation, fieldsV1]) => ({
            manager,
            operation,
            fieldsType: "FieldsV1",
            fieldsV1,
        })),
    });
    const ctlb = { "f:spec": { "f:bpfConnectTimeLoadBalancing": {} } };

    it("names every provider manager holding the field once two do (a lost state's patch and the new one)", () => {
        // As on the cluster tier after fault 8: the lost state's manager and the adopting up's.
        const metadata = felixHeldBy(
            ["pulumi-kubernetes-9a9d90a2", "Apply", ctlb],
            ["pulumi-kubernetes-5f3a9c1e", "Apply", ctlb],
            ["aks-calico-lab", "Apply", { "f:spec": { "f:bpfEnabled": {} } }],
        );
        assert.deepEqual(orphanedProviderHolds(metadata, CTLB), [
            "pulumi-kubernetes-9a9d90a2",
            "pulumi-kubernetes-5f3a9c1e",
        ]);
    });

    it("names none while one provider manager holds it, or others hold it by other means", () => {
        const cases = [
            felixHeldBy(["pulumi-kubernetes-5f3a9c1e", "Apply", ctlb]),
            felixHeldBy(["pulumi-kubernetes-5f3a9c1e", "Apply", ctlb], ["ctlb-off", "Apply", ctlb]),
            felixHeldBy(
                ["pulumi-kubernetes-5f3a9c1e", "Apply", ctlb],
                ["pulumi-kubernetes-9a9d90a2", "Update", ctlb],
            ),
            felixHeldBy(
                ["pulumi-kubernetes-5f3a9c1e", "Apply", ctlb],
                ["pulumi-kubernetes-9a9d90a2", "Apply", { "f:spec": { "f:bpfEnabled": {} } }],
            ),
            {},
        ];
        for (const metadata of cases) assert.deepEqual(orphanedProviderHolds(metadata, CTLB), []);
    });
});

describe("takenFrom", () => {
    it("names who took the field from the lab's apply, and when", () => {
        assert.equal(
            takenFrom(
                installationEditedAt("2026-12-06T16:30:00Z"),
                LINUX_DATAPLANE,
                "aks-calico-lab",
            ),
            "kubectl-edit (Update) at 2026-12-06T16:30:00Z",
        );
    });
    it("is undefined while the lab holds it (shared with the operator's same value), or never applied", () => {
        const metadata = installationMetadata("2026-11-23T10:00:00Z", "2026-11-23T10:09:31Z", "1");
        assert.equal(takenFrom(metadata, LINUX_DATAPLANE, "aks-calico-lab"), undefined);
        assert.equal(takenFrom(metadata, LINUX_DATAPLANE, "another-lab"), undefined);
        assert.equal(takenFrom(undefined, LINUX_DATAPLANE, "aks-calico-lab"), undefined);
    });
});
