/** The JSON report a tool printed, out of a container log that may interleave its stderr. */

/**
 * The JSON object in a log: the whole log when it is nothing else; otherwise from the first line that is `{` to the last that is `}`,
 * keeping only the indented lines between them. A pod's log merges stdout and stderr line by line,
 * so a tool's stderr lines (never indented: fortio cli/fortio_main.go @v1.75.2 prints "All done" and
 * "Successfully wrote" around its `-json -` report) may land inside the report; iperf3 `-J`
 * (cJSON_Print) and fortio (json.MarshalIndent) indent every inner line.
 */
export function jsonObjectFromLog(text: string, tool: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        // Not the report alone: look for it among other lines.
    }
    const lines = text.split(/\r?\n/);
    const first = lines.indexOf("{");
    const last = lines.lastIndexOf("}");
    const tail = () => text.trim().split(/\r?\n/).slice(-3).join(" / ").slice(0, 300);
    if (first === -1 || last <= first) throw new Error(`${tool} printed no JSON report: ${tail()}`);
    const body = lines
        .slice(first, last + 1)
        .filter((l) => l === "{" || l === "}" || /^\s/.test(l));
    try {
        return JSON.parse(body.join("\n"));
    } catch {
        throw new Error(`${tool} printed a JSON report that does not parse: ${tail()}`);
    }
}
