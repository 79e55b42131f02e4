/**
 * Recording fakes of the lab's Automation API interfaces (tools/cli/pulumi-stack.ts): no CLI runs in
 * tests. Each records what was asked of it, in order.
 */
import type { ExportedStack } from "../../tools/cli/pending-operations";
import type {
    ConfigMap,
    ConfigValue,
    LabStack,
    LabWorkspace,
    OperationOptions,
    OutputMap,
} from "../../tools/cli/pulumi-stack";

/** An error shaped like the Automation API's CommandError (automation/cmd.js CommandResult.toString). */
export function commandError(stderr: string, code = 255): Error {
    const error = new Error(`code: ${code}\n stdout: \n stderr: ${stderr}\n err?: \n`);
    error.name = "CommandError";
    return error;
}

type Operation = "up" | "destroy";

export interface FakeStackOptions {
    readonly outputs?: OutputMap;
    readonly config?: ConfigMap;
    /** Methods that reject, with what. */
    readonly fail?: Partial<Record<Operation | "outputs" | "setConfig", Error>>;
    /** What an operation prints through onOutput. */
    readonly print?: string;
    /** Called when an operation starts, e.g. to abort it. */
    readonly during?: (operation: Operation, options: OperationOptions) => Promise<void>;
    /** The exit code of the CLI run on the terminal (`run`); 0 by default. */
    readonly runExit?: number;
    /** What `stack export` gives: no pending operation by default. */
    readonly exported?: ExportedStack;
}

export interface FakeStack extends LabStack {
    readonly calls: string[];
    /** What `stack import` was given, in order. */
    readonly imported: ExportedStack[];
    readonly config: Record<string, ConfigValue>;
}

export function fakeStack(name: string, options: FakeStackOptions = {}): FakeStack {
    const calls: string[] = [];
    const config: Record<string, ConfigValue> = { ...options.config };
    const outputs = options.outputs ?? {};
    const operation =
        (kind: Operation) =>
        async (op: OperationOptions): Promise<void> => {
            calls.push(`${kind} color=${op.color}`);
            if (options.print !== undefined) op.onOutput(options.print);
            await options.during?.(kind, op);
            const failure = options.fail?.[kind];
            if (failure) throw failure;
        };
    const imported: ExportedStack[] = [];
    return {
        name,
        calls,
        imported,
        config,
        // Reads, so not in `calls`; an import is a write, in `imported`.
        exportStack: () => Promise.resolve(options.exported ?? { version: 3, deployment: {} }),
        importStack: (state) => {
            imported.push(state);
            return Promise.resolve();
        },
        up: async (op) => {
            await operation("up")(op);
            return outputs;
        },
        destroy: operation("destroy"),
        run: (args) => {
            calls.push(`run ${args.join(" ")}`);
            return Promise.resolve(options.runExit ?? 0);
        },
        outputs: () => {
            calls.push("outputs");
            const failure = options.fail?.outputs;
            return failure ? Promise.reject(failure) : Promise.resolve(outputs);
        },
        getConfig: (key, path) => {
            calls.push(`getConfig ${key}${path ? " --path" : ""}`);
            const value = config[key];
            return value
                ? Promise.resolve(value)
                : Promise.reject(
                      commandError(
                          `error: configuration key '${key}' not found for stack '${name}'`,
                      ),
                  );
        },
        allConfig: () => {
            calls.push("allConfig");
            return Promise.resolve({ ...config });
        },
        setConfig: (key, value, path) => {
            calls.push(
                `setConfig ${key}=${value.secret ? "[secret]" : value.value}${path ? " --path" : ""}`,
            );
            const failure = options.fail?.setConfig;
            if (failure) return Promise.reject(failure);
            config[key] = value;
            return Promise.resolve();
        },
        removeConfig: (key, path) => {
            calls.push(`removeConfig ${key}${path ? " --path" : ""}`);
            Reflect.deleteProperty(config, key);
            return Promise.resolve();
        },
    };
}

export interface FakeWorkspace extends LabWorkspace {
    readonly calls: string[];
    readonly env: Record<string, string>;
    readonly stacks: Map<string, FakeStack>;
}

/** A workspace whose backend has `stacks`; createStack adds a new fake stack. */
export function fakeWorkspace(
    stacks: readonly FakeStack[] = [],
    fileConfig: Record<string, unknown> = {},
    newStack: FakeStackOptions = {},
): FakeWorkspace {
    const calls: string[] = [];
    const env: Record<string, string> = {};
    const byName = new Map(stacks.map((stack) => [stack.name, stack]));
    return {
        calls,
        env,
        stacks: byName,
        stackFileConfig: (stack) => {
            calls.push(`stackFileConfig ${stack}`);
            return Promise.resolve(fileConfig);
        },
        selectStack: (name) => {
            calls.push(`select ${name}`);
            return Promise.resolve(byName.get(name));
        },
        createStack: (name) => {
            calls.push(`create ${name}`);
            const stack = fakeStack(name, newStack);
            byName.set(name, stack);
            return Promise.resolve(stack);
        },
        addEnv: (vars) => {
            calls.push(`addEnv ${Object.keys(vars).join(",")}`);
            Object.assign(env, vars);
        },
    };
}
