/**
 * Runs the Pulumi program in this process under Pulumi's mocks (pulumi.runtime.setMocks), with a
 * simulated cluster and Azure answering, and records what it would send to the engine: every
 * resource and read with its inputs, in the order the program sends them, and the warnings and
 * the error a preview would show. The one place in tools/ that uses the Pulumi runtime
 * (eslint.boundaries.mjs): nothing here reaches Azure, a cluster or the CLI. Mocks are process-global,
 * so this runs once per process.
 */
import * as pulumi from "@pulumi/pulumi";
import { kubeProxyHealthzPortFieldOf } from "../../../core/calico-objects";
import { FELIX_CRD_NAME } from "../../../core/felix-schema";

/** A resource the program would register, or a read (`Resource.get`) it would make. */
export interface PlannedResource {
    readonly type: string;
    readonly name: string;
    /** The id of an existing object the program reads; absent for a resource it manages. */
    readonly readId?: string;
    /** A ComponentResource: a group of the resources after it, nothing of its own in Azure or the cluster. */
    readonly component?: true;
    /** Inputs as the engine would receive them; secrets as SECRET, internals (`__*`) left out. */
    readonly inputs: Readonly<Record<string, unknown>>;
}

export interface SimulatedRun {
    readonly resources: readonly PlannedResource[];
    readonly warnings: readonly string[];
    /** The program's error, as the CLI would print it. */
    readonly error?: string;
}

export const SECRET = "[secret]";

/** What only Azure or the cluster can know shows as <what it is>. */
export const unknown = (what: string): string => `<${what}>`;

/**
 * The time the simulated API server gives the lab's applies. The program needs a real RFC 3339 time
 * (calico-spec.ts switchAppliedAt stops on anything else), so the simulation uses this one and the
 * plan prints it as what it stands for.
 */
export const SIMULATED_APPLY_TIME = "2000-01-01T00:00:00Z";
export const APPLY_TIME_SHOWN = unknown("time of the apply");

function masked(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(masked);
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return SECRET;
    return Object.fromEntries(
        Object.entries(record)
            .filter(([key]) => !key.startsWith("__"))
            .map(([key, item]) => [key, masked(item)]),
    );
}

/** A FelixConfiguration CRD spec declaring just what the program reads of it: the healthz field, if the line has one. */
export function simulatedFelixCrdSpec(calicoVersion: string): Record<string, unknown> {
    const field = kubeProxyHealthzPortFieldOf(calicoVersion);
    const properties =
        field === undefined || field === "none" ? {} : { [field]: { type: "integer" } };
    return {
        versions: [
            {
                name: "v1",
                storage: true,
                schema: { openAPIV3Schema: { properties: { spec: { properties } } } },
            },
        ],
    };
}

/** What a provider would return for the outputs the program reads; Azure's own values stay <unknown>. */
function answer(
    args: pulumi.runtime.MockResourceArgs,
    calicoVersion: string,
): Record<string, unknown> {
    if (args.type.startsWith("kubernetes:") && args.type.endsWith("Patch")) {
        // The API server's record of the apply: the steps after a patch wait from its time.
        const inputs = args.inputs as { apiVersion?: string; metadata?: Record<string, unknown> };
        const fieldsOf = (value: unknown): unknown =>
            typeof value === "object" && value !== null && !Array.isArray(value)
                ? Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsOf(v)]))
                : {};
        const {
            apiVersion: _a,
            kind: _k,
            metadata: _m,
            ...fields
        } = args.inputs as Record<string, unknown>;
        const annotations = inputs.metadata?.["annotations"] as Record<string, string> | undefined;
        return {
            metadata: {
                ...inputs.metadata,
                managedFields: [
                    {
                        manager:
                            annotations?.["pulumi.com/patchFieldManager"] ?? "pulumi-kubernetes",
                        operation: "Apply",
                        apiVersion: inputs.apiVersion,
                        time: SIMULATED_APPLY_TIME,
                        fieldsType: "FieldsV1",
                        fieldsV1: fieldsOf(fields),
                    },
                ],
            },
        };
    }
    switch (args.type) {
        case "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition":
            return args.id === FELIX_CRD_NAME ? { spec: simulatedFelixCrdSpec(calicoVersion) } : {};
        case "azure-native:resources:ResourceGroup":
            return { name: unknown(`${args.name} name`) };
        case "azure-native:containerservice:ManagedCluster":
            return { name: unknown(`${args.name} name`), fqdn: unknown("API server FQDN") };
        case "random:index/randomPassword:RandomPassword":
            return { result: unknown("generated password") };
        case "kubernetes:core/v1:Service":
            return { status: { loadBalancer: { ingress: [{ ip: unknown("load balancer IP") }] } } };
        default:
            return {};
    }
}

/** What Azure's invokes would answer about an existing AKS cluster: a running cluster, its values <unknown>. */
function invokeAnswer(token: string): Record<string, unknown> {
    switch (token) {
        case "azure-native:containerservice:listManagedClusterUserCredentials":
            return {
                kubeconfigs: [
                    {
                        name: "clusterUser",
                        value: Buffer.from(unknown("kubeconfig")).toString("base64"),
                    },
                ],
            };
        case "azure-native:containerservice:getManagedCluster":
            return { fqdn: unknown("API server FQDN"), powerState: { code: "Running" } };
        default:
            return {};
    }
}

/**
 * An error as the CLI would show it: the SDK wraps an error thrown while it serializes an input in
 * one `error serializing property "…": ` per level (@pulumi/pulumi runtime/rpc.js serializeProperty @v3.276.0).
 */
export const programError = (thrown: unknown): string =>
    (thrown instanceof Error ? thrown.message : String(thrown)).replace(
        /^(error serializing property "[^"]*": )+/,
        "",
    );

/** Runs `program` (the module that is index.ts) under the mocks with this stack configuration. */
export async function simulate(options: {
    readonly project: string;
    readonly stack: string;
    /** Keys without the project prefix, values as the CLI hands them (strings). */
    readonly config: Readonly<Record<string, string>>;
    /** Keys (without the prefix) the program receives as secrets. */
    readonly secretKeys: readonly string[];
    readonly calicoVersion: string;
    readonly program: () => Promise<unknown>;
}): Promise<SimulatedRun> {
    const prefixed = (key: string) => `${options.project}:${key}`;
    pulumi.runtime.setAllConfig(
        Object.fromEntries(
            Object.entries(options.config).map(([key, value]) => [prefixed(key), value]),
        ),
        options.secretKeys.map(prefixed),
    );
    const resources: PlannedResource[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources.push({
                    type: args.type,
                    name: args.name,
                    ...(args.id ? { readId: args.id } : {}),
                    ...(args.custom === false ? { component: true as const } : {}),
                    inputs: masked(args.inputs) as Record<string, unknown>,
                });
                return {
                    id: args.id || unknown(`${args.name} id`),
                    state: { ...(args.inputs as object), ...answer(args, options.calicoVersion) },
                };
            },
            call: (args) => invokeAnswer(args.token),
        },
        options.project,
        options.stack,
        // Not a dry run: every mocked value is known, so every step's command can be shown in full.
        false,
    );
    const warnings: string[] = [];
    pulumi.log.warn = (message) => {
        warnings.push(message);
        return Promise.resolve();
    };
    let error: string | undefined;
    // An error inside an apply or a registration rejects a promise nobody awaits, and the outputs
    // that depend on it never settle: the first such rejection ends the run.
    let stopped: (thrown: unknown) => void = () => undefined;
    const failed = new Promise<void>((resolve) => {
        stopped = (thrown) => {
            error ??= programError(thrown);
            resolve();
        };
    });
    process.on("unhandledRejection", stopped);
    try {
        const program = (await Promise.race([options.program(), failed])) ?? {};
        // Waiting on the stack's outputs lets every registration the program makes happen.
        for (const value of Object.values(program as Record<string, unknown>))
            if (pulumi.Output.isInstance(value))
                await Promise.race([new Promise((resolve) => value.apply(resolve)), failed]);
    } catch (thrown) {
        stopped(thrown);
    }
    process.off("unhandledRejection", stopped);
    await pulumi.runtime.disconnect();
    return { resources, warnings, ...(error === undefined ? {} : { error }) };
}
