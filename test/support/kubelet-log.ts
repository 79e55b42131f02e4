/**
 * A container's raw standard output as `kubectl logs --timestamps` serves it: each line prefixed
 * with its stamp in RFC 3339 with nine fraction digits and a space (k8s.io/cri-client/pkg/logs
 * ReadLogs, RFC3339NanoFixed). A raw Felix log has no such stamp, so each line takes the one of the
 * last Calico timestamp at or before it (logutils.go AppendTime, UTC, cut to milliseconds); lines
 * Felix's formatter did not write (libbpf, klog, a multi-line error's rest) take their neighbour's.
 */
const CALICO_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) /;

export function withKubeletTimestamps(rawLog: string): string {
    let stamp: string | undefined;
    return rawLog
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
            const match = CALICO_TIME.exec(line);
            if (match !== null) stamp = `${match[1] ?? ""}T${match[2] ?? ""}000000Z`;
            if (stamp === undefined) throw new Error(`no timestamp at or before: ${line}`);
            return `${stamp} ${line}\n`;
        })
        .join("");
}
