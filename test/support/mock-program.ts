/**
 * Runs the Pulumi program (index.ts) under Pulumi's mocks, in this process, and records what it
 * would send to the engine: each resource's type, name, inputs, provider and dependency URNs, in
 * registration order. Runs take turns (the mock runtime is process-global): each installs fresh
 * mocks, which resets the runtime's state, and loads index.ts and the project modules it imports
 * anew, so no run sees another's module state; the SDK packages stay loaded, as they do under
 * `pulumi up`, where the program is loaded once per process.
 */
import * as pulumi from "@pulumi/pulumi";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import { inspect } from "node:util";
import { PROJECT } from "../../components/config";
import { cliConfig, type StackValue } from "../../core/project-config";
import { deepFreeze, yamlFileOnce } from "./fixtures";

export const STACK = "test";
export const CLUSTER_FQDN = "lab-aks-1a2b3c.hcp.eastus.azmk8s.io";
export const KUBECONFIG_TEXT = "apiVersion: v1\nkind: Config\nclusters: []\n";
export const LOAD_BALANCER_IP = "20.81.12.34";
/** When the fake API server says a patch was applied (its managedFields entry's time). */
export const PATCH_APPLIED_AT = "2026-11-23T10:00:00Z";
/** The field manager the fake API server records for a patch that names none. */
export const GENERATED_FIELD_MANAGER = "pulumi-kubernetes-5f3a9c1e";

/** What the fake cluster holds beyond the stack configuration. */
export interface FakeCluster {
    /** The FelixConfiguration CRD file (YAML) a read of the CRD returns; none by default. */
    readonly felixCrdFile?: string;
    /** When the fake API server says the lab's patches were applied (default PATCH_APPLIED_AT). */
    readonly patchAppliedAt?: string;
    /** The cluster's power state as Azure reports it live (default Running). */
    readonly powerState?: "Running" | "Stopped";
    /** The stack keys whose values were set with `--secret` (none by default). */
    readonly secretKeys?: readonly string[];
    /**
     * Run as `pulumi preview` of a first `up`: the provider answers a patch it has not applied yet
     * with its inputs alone, no managedFields (what pulumi-kubernetes 4.25 answered on the cluster tier).
     */
    readonly preview?: boolean;
    /** The live Installation's metadata a read of it returns (managedFields, annotations); none by default. */
    readonly installationMetadata?: Record<string, unknown>;
}
/** What Azure says of the AKS cluster `existingAksCluster` names (getManagedCluster). */
export const EXISTING_AKS_FQDN = "platform-aks-9f8e7d.hcp.westeurope.azmk8s.io";
/** The uid of the kube-system namespace a read of it returns. */
export const KUBE_SYSTEM_UID = "6f1c2d3e-0a1b-4c5d-8e9f-a0b1c2d3e4f5";

const isLoadBalancer = (inputs: unknown): boolean =>
    (inputs as { spec?: { type?: string } }).spec?.type === "LoadBalancer";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly custom: boolean;
    /** Inputs as the engine would receive them, with secrets unwrapped (see `secretPaths`). */
    readonly inputs: Record<string, unknown>;
    readonly secretInputs: boolean;
    /** The inputs that hold a secret, at any depth. */
    readonly secretInputKeys: readonly string[];
    readonly provider: string;
    /** URNs this resource waits for: explicit dependsOn, implicit dependencies, parent's dependsOn. */
    readonly dependencies: readonly string[];
    /** Resource options the engine acts on at replacement and deletion, and for secret outputs. */
    readonly options: {
        readonly deleteBeforeReplace: boolean;
        readonly retainOnDelete: boolean;
        readonly replaceOnChanges: readonly string[];
        readonly additionalSecretOutputs: readonly string[];
    };
}

/** A read of an existing resource (`Resource.get`). */
export interface ReadRegistration {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly id: string;
    readonly provider: string;
    readonly dependencies: readonly string[];
}

export interface ProgramRun {
    readonly registrations: readonly Registration[];
    readonly reads: readonly ReadRegistration[];
    readonly invokes: readonly { token: string; inputs: Record<string, unknown> }[];
    readonly outputs: Record<string, unknown>;
    readonly secretOutputs: readonly string[];
    readonly warnings: readonly string[];
    /** The program's error, if it threw (or the CLI's, if it refused the config); registrations then holds what came before it. */
    readonly error?: string;
    /** Whether the error is one the CLI prints as a plain message: a pulumi.RunError. */
    readonly errorIsRunError?: boolean;
    /** Whether the CLI stopped before the program ran, as it does on a config type error. */
    readonly refusedByCli?: boolean;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Replaces Pulumi's serialized secret wrappers by their values; reports whether any was found. */
export function unwrapSecrets(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(unwrapSecrets);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (SECRET_SIG in record)
            return { value: unwrapSecrets(record["value"]).value, secret: true };
        const entries = Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)] as const);
        return {
            value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])),
            secret: entries.some(([, v]) => v.secret),
        };
    }
    return { value, secret: false };
}

/** A server-side apply's FieldsV1 set for an applied object: every field it carries. */
function fieldsV1Of(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsV1Of(v)]));
}

/** The metadata an API server returns after a patch's apply: the managedFields entry of its manager. */
function appliedPatch(
    inputs: Record<string, unknown>,
    cluster: FakeCluster,
): Record<string, unknown> {
    const { apiVersion, kind: _kind, metadata, ...fields } = inputs;
    const meta = (metadata ?? {}) as { name?: string; annotations?: Record<string, string> };
    const { name: _name, ...applied } = meta;
    const entry = {
        manager: meta.annotations?.["pulumi.com/patchFieldManager"] ?? GENERATED_FIELD_MANAGER,
        operation: "Apply",
        apiVersion,
        time: cluster.patchAppliedAt ?? PATCH_APPLIED_AT,
        fieldsType: "FieldsV1",
        fieldsV1: fieldsV1Of({ metadata: applied, ...fields }),
    };
    return { metadata: { ...meta, managedFields: [entry] } };
}

/** What a read of a CustomResourceDefinition finds: the CRD file the test chose, if any. */
function readCrd(file: string | undefined): Record<string, unknown> {
    return file === undefined ? {} : (yamlFileOnce(file) as Record<string, unknown>);
}

/** Output values a real provider would compute, for the resources whose outputs the program reads. */
function mockState(
    args: pulumi.runtime.MockResourceArgs,
    inputs: Record<string, unknown>,
    cluster: FakeCluster,
): Record<string, unknown> {
    if (args.type.startsWith("kubernetes:") && args.type.endsWith("Patch"))
        return cluster.preview === true ? {} : appliedPatch(inputs, cluster);
    switch (args.type) {
        case "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition":
            return args.id ? readCrd(cluster.felixCrdFile) : {};
        case "kubernetes:operator.tigera.io/v1:Installation":
            return args.id ? { metadata: cluster.installationMetadata ?? {} } : {};
        case "kubernetes:core/v1:Namespace":
            return args.id === "kube-system" ? { metadata: { uid: KUBE_SYSTEM_UID } } : {};
        case "azure-native:resources:ResourceGroup":
            return { name: `${args.name}-a1b2c3` };
        case "azure-native:containerservice:ManagedCluster":
            return { name: `${args.name}-d4e5f6`, fqdn: CLUSTER_FQDN };
        case "random:index/randomPassword:RandomPassword":
            return { result: "Generated-Passw0rd!" };
        case "kubernetes:core/v1:Service":
            return isLoadBalancer(args.inputs)
                ? { status: { loadBalancer: { ingress: [{ ip: LOAD_BALANCER_IP }] } } }
                : {};
        default:
            return {};
    }
}

async function applyTransforms(
    args: pulumi.runtime.MockResourceArgs,
): Promise<Record<string, unknown>> {
    // The engine runs resource transforms before the provider sees the inputs; so do we.
    let props = args.inputs as Record<string, unknown>;
    for (const transform of args.transforms ?? []) {
        const result = await transform({
            custom: args.custom ?? true,
            type: args.type,
            name: args.name,
            props,
            opts: {},
        });
        if (result) props = result.props;
    }
    return props;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getDeletebeforereplace(): boolean;
    getRetainondelete(): boolean;
    getReplaceonchangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
}

interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getId(): string;
    getProvider(): string;
    getDependenciesList(): string[];
}

const PROJECT_ROOT = join(__dirname, "..", "..");
const projectRequire = createRequire(join(PROJECT_ROOT, "index.ts"));

const isProgramModule = (file: string): boolean => {
    if (!file.startsWith(PROJECT_ROOT + sep)) return false;
    const relative = file.slice(PROJECT_ROOT.length + 1);
    return !relative.startsWith(`node_modules${sep}`) && !relative.startsWith(`test${sep}`);
};

/**
 * Runs `f` with the project's own modules (not its packages, not the tests) out of the module
 * cache, so index.ts and everything it imports evaluate anew; then puts the cache back as it was,
 * so test code in this process keeps the module instances it had.
 */
async function withOwnModules<T>(f: () => Promise<T>): Promise<T> {
    const cache = projectRequire.cache;
    const before = Object.entries(cache).filter(([file]) => isProgramModule(file));
    for (const [file] of before) Reflect.deleteProperty(cache, file);
    try {
        return await f();
    } finally {
        for (const file of Object.keys(cache).filter(isProgramModule)) {
            Reflect.deleteProperty(cache, file);
        }
        Object.assign(cache, Object.fromEntries(before));
    }
}

let previousRun: Promise<unknown> = Promise.resolve();
/** Every run of this process by its configuration; frozen, as several tests may read one. */
const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Runs `f` with stack traces left unmapped: the SDK takes a stack trace for every promise it makes
 * (pulumi/pulumi sdk/nodejs/runtime/debuggable.ts debuggablePromise @v3.276.0), and mapping each
 * through the source maps tsx turns on was a third of a run. A run keeps only error messages.
 */
async function withoutSourceMaps<T>(f: () => Promise<T>): Promise<T> {
    const enabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
        return await f();
    } finally {
        process.setSourceMapsEnabled(enabled);
    }
}

/**
 * Treats the stack's configuration (keys without the project prefix) as the CLI does, installs the
 * mocks, runs index.ts, and resolves once every registration has been answered. Calls take turns.
 */
export function runProgramInProcess(
    stackValues: Record<string, StackValue>,
    cluster: FakeCluster = {},
): Promise<ProgramRun> {
    // Runs are deterministic: a configuration already run is answered from its first run.
    const key = JSON.stringify([stackValues, cluster]);
    const known = runs.get(key);
    if (known !== undefined) return known;
    const run = previousRun.then(() => {
        // A stopped run never gets to put Pulumi's log back itself.
        const warn = pulumi.log.warn;
        return withoutSourceMaps(() =>
            withOwnModules(() =>
                stoppingOnUncaught((stopped) => runOnce(stackValues, cluster, stopped)),
            ),
        ).finally(() => {
            pulumi.log.warn = warn;
        });
    });
    previousRun = run.catch(() => undefined);
    const frozen = run.then((result) => deepFreeze(result) as ProgramRun);
    runs.set(key, frozen);
    return frozen;
}

const UNCAUGHT = ["unhandledRejection", "uncaughtException"] as const;

/**
 * Runs `f` as `pulumi up`'s language host runs a program: an error the program throws outside its
 * top level (in an apply) surfaces as an uncaught exception or unhandled rejection, and ends the
 * run with that error (pulumi/pulumi sdk/nodejs/cmd/run/run.ts uncaughtHandler @v3.276.0). The
 * returned promise then rejects with the error as Node prints it. The process's own handlers are
 * set aside meanwhile, and the failed run's last rejections are let through to ours.
 */
async function stoppingOnUncaught<T>(f: (stopped: () => boolean) => Promise<T>): Promise<T> {
    const saved = UNCAUGHT.map((event) => [event, process.rawListeners(event)] as const);
    let failure: { error: unknown } | undefined;
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
        fail = reject;
    });
    const onUncaught = (error: unknown) => {
        failure ??= { error };
        fail(new Error(`the program stopped: ${inspect(error)}`));
    };
    for (const event of UNCAUGHT) {
        process.removeAllListeners(event);
        process.on(event, onUncaught);
    }
    try {
        return await Promise.race([f(() => failure !== undefined), failed]);
    } finally {
        if (failure !== undefined) {
            await new Promise((resolve) => setImmediate(resolve));
            await new Promise((resolve) => setImmediate(resolve));
        }
        for (const [event, listeners] of saved) {
            process.removeAllListeners(event);
            for (const listener of listeners) process.on(event, listener as (e: unknown) => void);
        }
    }
}

async function runOnce(
    stackValues: Record<string, StackValue>,
    cluster: FakeCluster,
    stopped: () => boolean,
): Promise<ProgramRun> {
    const merged = cliConfig(STACK, stackValues);
    if ("error" in merged) {
        return {
            registrations: [],
            reads: [],
            invokes: [],
            outputs: {},
            secretOutputs: [],
            warnings: [],
            error: merged.error,
            refusedByCli: true,
        };
    }
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(merged.config).map(([k, v]) => [`${PROJECT}:${k}`, v])),
        (cluster.secretKeys ?? []).map((key) => `${PROJECT}:${key}`),
    );
    const pending = new Map<
        string,
        { inputs: Record<string, unknown>; args: pulumi.runtime.MockResourceArgs }
    >();
    const invokes: { token: string; inputs: Record<string, unknown> }[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                const inputs = await applyTransforms(args);
                pending.set(`${args.type}::${args.name}`, { inputs, args });
                return {
                    id: args.id || `${args.name}-id`,
                    state: { ...inputs, ...mockState(args, inputs, cluster) },
                };
            },
            call: (args) => {
                invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
                if (
                    args.token === "azure-native:containerservice:listManagedClusterUserCredentials"
                ) {
                    const value = Buffer.from(KUBECONFIG_TEXT).toString("base64");
                    return { kubeconfigs: [{ name: "clusterUser", value }] };
                }
                if (args.token === "azure-native:containerservice:getManagedCluster") {
                    const { resourceGroupName, resourceName } = args.inputs as Record<
                        string,
                        string
                    >;
                    return {
                        powerState: { code: cluster.powerState ?? "Running" },
                        id: `/subscriptions/0000/resourceGroups/${resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${resourceName}`,
                        fqdn: EXISTING_AKS_FQDN,
                        privateFQDN: "",
                    };
                }
                return {};
            },
        },
        PROJECT,
        STACK,
        cluster.preview === true,
    );

    const requests: Omit<
        Registration,
        "custom" | "inputs" | "secretInputs" | "secretInputKeys" | "provider"
    >[] = [];
    const reads: ReadRegistration[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: unknown): unknown;
        readResource(req: ReadRequest, cb: unknown): unknown;
        newUrn(parent: string, type: string, name: string): string;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        requests.push({
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            type: req.getType(),
            name: req.getName(),
            dependencies: req.getDependenciesList(),
            options: {
                deleteBeforeReplace: req.getDeletebeforereplace(),
                retainOnDelete: req.getRetainondelete(),
                replaceOnChanges: req.getReplaceonchangesList(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            },
        });
        return register(req, cb);
    };
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req, cb) => {
        reads.push({
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            type: req.getType(),
            name: req.getName(),
            id: req.getId(),
            provider: req.getProvider(),
            dependencies: req.getDependenciesList(),
        });
        return read(req, cb);
    };

    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = (message, ...rest) => {
        warnings.push(message);
        return warn.call(pulumi.log, message, ...rest);
    };

    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    let error: string | undefined;
    let errorIsRunError = false;
    try {
        const program = projectRequire("./index.ts") as Record<string, unknown>;
        for (const [key, value] of Object.entries(program)) {
            if (pulumi.Output.isInstance(value)) {
                outputs[key] = await new Promise((resolve) => value.apply(resolve));
                if (await pulumi.isSecret(value)) secretOutputs.push(key);
            } else {
                outputs[key] = value;
            }
        }
    } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
        errorIsRunError = pulumi.RunError.isInstance(thrown);
    }
    // A run that stopped on an uncaught error has ended; its leftovers must not touch the next run.
    if (stopped()) throw new Error("the program stopped");
    try {
        await pulumi.runtime.disconnect();
    } finally {
        pulumi.log.warn = warn;
    }

    const registrations = requests.map((request) => {
        const answered = pending.get(`${request.type}::${request.name}`);
        if (answered === undefined) throw new Error(`no mock answer for ${request.urn}`);
        const { value, secret } = unwrapSecrets(answered.inputs);
        return {
            ...request,
            custom: answered.args.custom ?? true,
            inputs: value as Record<string, unknown>,
            secretInputs: secret,
            secretInputKeys: Object.keys(answered.inputs).filter(
                (key) => unwrapSecrets(answered.inputs[key]).secret,
            ),
            provider: answered.args.provider ?? "",
        };
    });
    return {
        registrations,
        reads,
        invokes,
        outputs,
        secretOutputs,
        warnings,
        ...(error === undefined ? {} : { error, errorIsRunError }),
    };
}
