/** Helpers for the benchmark tests. */

/** `cpus n`, then one /proc/stat line a second: busy rises by `busyPerSecond(t)` jiffies of 100 per CPU-second. */
export function syntheticCpuLog(
    cpus: number,
    from: number,
    to: number,
    busyPerSecond: (t: number) => number,
): string {
    const lines = [`cpus ${cpus}`];
    let busy = 0;
    let idle = 0;
    for (let t = from; t <= to; t++) {
        lines.push(`${t} cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0`);
        const used = busyPerSecond(t);
        busy += used;
        idle += cpus * 100 - used;
    }
    return lines.join("\n");
}
