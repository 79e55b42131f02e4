/**
 * Node CPU from /proc/stat, which is host-wide even inside a container. The sampler pod prints
 * `cpus <n>` once, then `<epoch seconds> cpu <user> <nice> <system> <idle> <iowait> <irq> <softirq>
 * <steal> ...` once a second; two samples give the node's busy share in between.
 */

export interface CpuSample {
    readonly time: number;
    readonly busy: number;
    readonly total: number;
}

export interface CpuLog {
    readonly cpus: number;
    readonly samples: readonly CpuSample[];
}

export function parseCpuLog(text: string): CpuLog {
    let cpus: number | undefined;
    const samples: CpuSample[] = [];
    for (const line of text.split(/\r?\n/)) {
        const count = /^cpus (\d+)$/.exec(line.trim());
        if (count?.[1] !== undefined) {
            cpus = Number(count[1]);
            continue;
        }
        const sample = /^(\d+) cpu\s+([\d\s]+)$/.exec(line.trim());
        if (sample?.[1] === undefined || sample[2] === undefined) continue;
        // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
        const [
            user = 0,
            nice = 0,
            system = 0,
            idle = 0,
            iowait = 0,
            irq = 0,
            softirq = 0,
            steal = 0,
        ] = sample[2].trim().split(/\s+/).map(Number);
        const total = user + nice + system + idle + iowait + irq + softirq + steal;
        samples.push({ time: Number(sample[1]), busy: total - idle - iowait, total });
    }
    if (cpus === undefined || cpus === 0)
        throw new Error("the CPU sampler's log has no `cpus <n>` line");
    return { cpus, samples };
}

/**
 * The node's busy CPU, in vCPUs, between two moments: from the last sample at or before `from` to
 * the first at or after `to`. Undefined when the log does not cover the interval.
 */
export function vcpuBetween(log: CpuLog, from: number, to: number): number | undefined {
    const before = log.samples.filter((s) => s.time <= from).at(-1);
    const after = log.samples.find((s) => s.time >= to);
    if (before === undefined || after === undefined || after.total <= before.total)
        return undefined;
    return ((after.busy - before.busy) / (after.total - before.total)) * log.cpus;
}
