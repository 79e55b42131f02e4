/** API objects' metadata with managedFields shaped as the API server returns them after applies. */

/** Installation `default` metadata as the API server returns it after the lab's apply at `time`. */
export function installationMetadata(time: string, operatorTime: string, resourceVersion: string) {
    return {
        name: "default",
        generation: 5,
        resourceVersion,
        annotations: {
            "pulumi.com/patchFieldManager": "aks-calico-lab",
            "pulumi.com/patchForce": "true",
        },
        managedFields: [
            {
                manager: "kubectl",
                operation: "Update",
                apiVersion: "operator.tigera.io/v1",
                time: "2026-11-20T08:01:02Z",
                fieldsType: "FieldsV1",
                fieldsV1: { "f:spec": { "f:cni": {}, "f:kubernetesProvider": {} } },
            },
            {
                manager: "operator",
                operation: "Update",
                apiVersion: "operator.tigera.io/v1",
                time: operatorTime,
                fieldsType: "FieldsV1",
                fieldsV1: { "f:spec": { "f:calicoNetwork": { "f:linuxDataplane": {} } } },
            },
            {
                manager: "operator",
                operation: "Update",
                apiVersion: "operator.tigera.io/v1",
                time: operatorTime,
                fieldsType: "FieldsV1",
                fieldsV1: { "f:status": { "f:calicoVersion": {}, "f:computed": {} } },
                subresource: "status",
            },
            {
                manager: "aks-calico-lab",
                operation: "Apply",
                apiVersion: "operator.tigera.io/v1",
                time,
                fieldsType: "FieldsV1",
                fieldsV1: {
                    "f:metadata": { "f:annotations": { "f:pulumi.com/patchForce": {} } },
                    "f:spec": { "f:calicoNetwork": { "f:linuxDataplane": {} } },
                },
            },
        ],
    };
}

/** The Installation after `kubectl edit` set a new linuxDataplane at `time`: its Update takes the field from every other holder. */
export function installationEditedAt(time: string) {
    const applied = installationMetadata("2026-11-23T10:00:00Z", "2026-11-23T10:09:31Z", "90001");
    const withoutDataplane = (fields: unknown): unknown => {
        const spec = (fields as { "f:spec"?: { "f:calicoNetwork"?: Record<string, unknown> } })[
            "f:spec"
        ];
        if (spec?.["f:calicoNetwork"] === undefined) return fields;
        const { "f:linuxDataplane": _taken, ...calicoNetwork } = spec["f:calicoNetwork"];
        return { ...(fields as object), "f:spec": { ...spec, "f:calicoNetwork": calicoNetwork } };
    };
    return {
        ...applied,
        managedFields: [
            ...applied.managedFields.map((entry) => ({
                ...entry,
                fieldsV1: withoutDataplane(entry.fieldsV1),
            })),
            {
                manager: "kubectl-edit",
                operation: "Update",
                apiVersion: "operator.tigera.io/v1",
                time,
                fieldsType: "FieldsV1",
                fieldsV1: { "f:spec": { "f:calicoNetwork": { "f:linuxDataplane": {} } } },
            },
        ],
    };
}
