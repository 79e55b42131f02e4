/**
 * One Pulumi operation on the lab's program, run by the real `pulumi` CLI built for the cluster
 * tier, in a process of its own (a program's modules run once per process):
 *
 *   node --import tsx test/cluster/scenario/pulumi-op.ts < request.json   (an OpRequest; it
 *   carries secrets, so it comes on stdin, never on the command line)
 *
 * The Node.js language host (pulumi-language-nodejs) is not served by the Go module proxy, so the
 * program runs as the Automation API's inline program: this process serves the language runtime
 * and the CLI connects to it with `--client` (pulumi/pulumi sdk/nodejs/automation/server.ts and
 * pkg/cmd/pulumi/operations/up.go `--client` @v3.276.0). Everything else is the CLI's own: the
 * project's Pulumi.yaml, its config defaults and type checks, the engine, the providers, the state.
 * Prints one JSON line, an OpResult.
 */
import { dirname, join } from "node:path";
import {
    LocalWorkspace,
    PulumiCommand,
    type ConfigMap,
    type OutputMap,
} from "@pulumi/pulumi/automation";
import { settlePendingOperations } from "../../../tools/cli/pending-operations";

export interface OpRequest {
    /** The project copy the CLI runs in (Pulumi.yaml, index.ts, node_modules). */
    readonly workDir: string;
    /** The folder holding the built `pulumi` and its plugins. */
    readonly binDir: string;
    readonly stack: string;
    /**
     * A CLI operation, or from `pulumi stack export`: `steps`, what each switch step printed last;
     * `pending`, the operations an interrupted run left pending; `settle`, what `npm run lab --
     * up` does before its update: tools/cli/pending-operations.ts on the stack.
     */
    readonly op: "up" | "preview" | "refresh" | "destroy" | "steps" | "pending" | "settle";
    /** up and preview: refresh the state first (`--refresh`). */
    readonly refresh?: boolean;
    /** Set on the stack before the operation, as `pulumi config set [--secret]` does. */
    readonly config?: ConfigMap;
    /** Variables for the CLI and the plugins it starts (passphrase, backend, step deadline). */
    readonly env: Readonly<Record<string, string>>;
}

export interface OpResult {
    readonly ok: boolean;
    /** The engine's count of resources per change kind (`same`, `create`, `update`, …). */
    readonly changes: Readonly<Record<string, number>>;
    /** Stack outputs that are not secrets, after up. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** What the CLI printed. */
    readonly stdout: string;
    /** The CLI's error, when it failed. */
    readonly error?: string;
    readonly seconds: number;
    /** With `steps`: each step resource's name and what it printed when it last ran. */
    readonly steps?: readonly StepOutput[];
    /** With `pending`: each pending operation, `<type> <urn>`. */
    readonly pending?: readonly string[];
    /** With `settle`: the lines the lab reports. */
    readonly lines?: readonly string[];
}

export interface StepOutput {
    readonly name: string;
    readonly output: string;
}

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly outputs?: Record<string, unknown>;
}

const plainOutputs = (outputs: OutputMap): Record<string, unknown> =>
    Object.fromEntries(
        Object.entries(outputs)
            .filter(([, output]) => !output.secret)
            .map(([key, output]) => [key, output.value]),
    );

async function run(request: OpRequest): Promise<OpResult> {
    const started = Date.now();
    const pulumiCommand = await PulumiCommand.get({ root: dirname(request.binDir) });
    const program = async () => ({
        ...((await import(join(request.workDir, "index.ts"))) as Record<string, unknown>),
    });
    let stdout = "";
    // Also streamed, so a slow or stuck run shows where it is.
    const onOutput = (text: string) => {
        stdout += text;
        process.stderr.write(text);
    };
    const seconds = () => (Date.now() - started) / 1000;
    const done = (
        changes: Readonly<Record<string, number>> | undefined,
        outputs: Readonly<Record<string, unknown>> = {},
    ): OpResult => ({ ok: true, changes: changes ?? {}, outputs, stdout, seconds: seconds() });
    try {
        // In the try: a stack the CLI cannot select (a damaged state) is a result, not a crash.
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: request.stack, projectName: "aks-calico-lab", program },
            { workDir: request.workDir, pulumiCommand, envVars: { ...request.env } },
        );
        if (request.config !== undefined) await stack.setAllConfig(request.config);
        switch (request.op) {
            case "up": {
                const result = await stack.up({ onOutput, refresh: request.refresh });
                return done(result.summary.resourceChanges, plainOutputs(result.outputs));
            }
            case "preview":
                return done(
                    (await stack.preview({ onOutput, refresh: request.refresh })).changeSummary,
                );
            case "refresh":
                return done((await stack.refresh({ onOutput })).summary.resourceChanges);
            case "settle": {
                const lines = await settlePendingOperations(stack, request.stack);
                return { ok: true, changes: {}, outputs: {}, stdout, lines, seconds: seconds() };
            }
            case "pending": {
                const deployment = await stack.exportStack();
                const pending =
                    (
                        deployment.deployment as {
                            pending_operations?: { type: string; resource: { urn: string } }[];
                        }
                    ).pending_operations ?? [];
                return {
                    ok: true,
                    changes: {},
                    outputs: {},
                    stdout,
                    pending: pending.map((op) => `${op.type} ${op.resource.urn}`),
                    seconds: seconds(),
                };
            }
            case "steps": {
                const deployment = await stack.exportStack();
                const resources =
                    (deployment.deployment as { resources?: StateResource[] }).resources ?? [];
                // A step prints its progress on stderr and its verdict on stdout, kept apart.
                const printed = (r: StateResource, stream: "stdout" | "stderr") => {
                    const text = r.outputs?.[stream];
                    return typeof text === "string" ? [text] : [];
                };
                const steps = resources
                    .filter((r) => r.type === "command:local:Command")
                    .map((r) => ({
                        name: r.urn.split("::").pop() ?? r.urn,
                        output: [...printed(r, "stderr"), ...printed(r, "stdout")].join("\n"),
                    }));
                return { ok: true, changes: {}, outputs: {}, stdout, steps, seconds: seconds() };
            }
            case "destroy":
                return done((await stack.destroy({ onOutput })).summary.resourceChanges);
        }
    } catch (error) {
        return {
            ok: false,
            changes: {},
            outputs: {},
            stdout,
            error: error instanceof Error ? error.message : String(error),
            seconds: seconds(),
        };
    }
}

async function readStdin(): Promise<string> {
    let text = "";
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
}

readStdin()
    .then(async (text) => run(JSON.parse(text) as OpRequest))
    .then(
        (result) => {
            process.stdout.write(`${JSON.stringify(result)}\n`);
        },
        (error: unknown) => {
            process.stderr.write(
                `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
            );
            process.exit(1);
        },
    );
