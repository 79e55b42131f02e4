/** How the driver prints stack outputs and config: as the CLI does, secrets masked unless asked for. */
import type { ConfigMap, OutputMap } from "../cli/pulumi-stack";

const SECRET = "[secret]";

const shown = (value: unknown): string =>
    typeof value === "string" && !value.includes("\n") ? value : JSON.stringify(value);

function table(
    header: readonly [string, string],
    rows: readonly (readonly [string, string])[],
): string {
    const width = Math.max(header[0].length, ...rows.map(([key]) => key.length));
    return (
        [header, ...rows].map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n") + "\n"
    );
}

/** One output's value as it is (a kubeconfig prints as YAML), or every output in a table. */
export function renderOutputs(outputs: OutputMap, showSecrets: boolean, name?: string): string {
    if (name !== undefined) {
        const output = outputs[name];
        if (output === undefined) {
            throw new Error(
                `the stack has no output "${name}" (it has: ${Object.keys(outputs).join(", ") || "none"})`,
            );
        }
        if (output.secret && !showSecrets) return `${SECRET} (--show-secrets prints it)\n`;
        return `${typeof output.value === "string" ? output.value : JSON.stringify(output.value, null, 2)}\n`;
    }
    const rows = Object.entries(outputs)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
            ([key, output]) =>
                [key, output.secret && !showSecrets ? SECRET : shown(output.value)] as const,
        );
    return table(["OUTPUT", "VALUE"], rows);
}

export function renderConfig(config: ConfigMap, showSecrets: boolean): string {
    const rows = Object.entries(config)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => [key, value.secret && !showSecrets ? SECRET : value.value] as const);
    return table(["KEY", "VALUE"], rows);
}

/** The last `max` lines of streamed text, for a failed step's report. */
export class LineTail {
    private lines: string[] = [];
    private partial = "";
    constructor(private readonly max: number) {}

    push(text: string): void {
        const parts = (this.partial + text).split("\n");
        this.partial = parts.pop() ?? "";
        this.lines = [...this.lines, ...parts].slice(-this.max);
    }

    last(): string[] {
        return [...this.lines, ...(this.partial === "" ? [] : [this.partial])].slice(-this.max);
    }
}
