/**
 * Node CPU from /proc/stat, which is host-wide even inside a container. The sampler pod prints
 * `cpus <n>` and `mtu <pod MTU>` once, then `<epoch seconds> cpu <user> <nice> <system> <idle>
 * <iowait> <irq> <softirq> <steal> <guest> <guest_nice>` once a second, stamped by its node's clock.
 */

/** The cumulative counters of one /proc/stat `cpu` line, in jiffies, at `time` (node clock, s). */
export interface CpuCounters {
    readonly time: number;
    readonly user: number;
    readonly nice: number;
    readonly system: number;
    readonly idle: number;
    readonly iowait: number;
    readonly irq: number;
    readonly softirq: number;
    readonly steal: number;
}

export interface CpuLog {
    readonly cpus: number;
    readonly samples: readonly CpuCounters[];
}

/** Busy vCPUs over an interval, split by where the time went. */
export interface CpuUse {
    /** user + nice (guest time is already in them: torvalds/linux kernel/sched/cputime.c account_guest_time). */
    readonly user: number;
    readonly system: number;
    readonly irq: number;
    /** Where both dataplanes' packet processing mostly lands. */
    readonly softirq: number;
    /** Time the hypervisor gave to someone else: not this node's work, so not in `busy`. */
    readonly steal: number;
    /** user + system + irq + softirq. idle and iowait are both time the CPU had nothing to run. */
    readonly busy: number;
}

const COUNTERS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

export function parseCpuLog(text: string): CpuLog {
    let cpus: number | undefined;
    const samples: CpuCounters[] = [];
    for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
        const count = /^cpus (\d+)$/.exec(line);
        if (count?.[1] !== undefined) {
            cpus = Number(count[1]);
            continue;
        }
        const sample = /^(\d+(?:\.\d+)?) cpu\s+([\d\s]+)$/.exec(line);
        if (sample?.[1] === undefined || sample[2] === undefined) continue;
        const values = sample[2].trim().split(/\s+/).map(Number);
        const counters = Object.fromEntries(COUNTERS.map((name, i) => [name, values[i] ?? 0]));
        samples.push({ time: Number(sample[1]), ...(counters as Omit<CpuCounters, "time">) });
    }
    if (cpus === undefined || cpus === 0)
        throw new Error("the CPU sampler's log has no `cpus <n>` line");
    return { cpus, samples };
}

/** The time of the sampler's latest sample: where an interval on its clock starts or ends. */
export function lastSampleTime(log: CpuLog): number | undefined {
    return log.samples.at(-1)?.time;
}

/**
 * The node's CPU use, in vCPUs, between two moments of its own clock: from the last sample at or
 * before `from` to the first at or after `to`. Undefined when the log does not cover the interval.
 */
export function cpuBetween(log: CpuLog, from: number, to: number): CpuUse | undefined {
    const before = log.samples.filter((s) => s.time <= from).at(-1);
    const after = log.samples.find((s) => s.time >= to);
    if (before === undefined || after === undefined) return undefined;
    const delta = (name: (typeof COUNTERS)[number]) => after[name] - before[name];
    const total = COUNTERS.reduce((sum, name) => sum + delta(name), 0);
    if (total <= 0) return undefined;
    const share = (jiffies: number) => (jiffies / total) * log.cpus;
    const use = {
        user: share(delta("user") + delta("nice")),
        system: share(delta("system")),
        irq: share(delta("irq")),
        softirq: share(delta("softirq")),
        steal: share(delta("steal")),
    };
    return { ...use, busy: use.user + use.system + use.irq + use.softirq };
}

/** Use above an idle baseline, part by part; never below zero. */
export function aboveBaseline(use: CpuUse, baseline: CpuUse): CpuUse {
    const part = (name: keyof CpuUse) => Math.max(0, use[name] - baseline[name]);
    const above = {
        user: part("user"),
        system: part("system"),
        irq: part("irq"),
        softirq: part("softirq"),
        steal: part("steal"),
    };
    return { ...above, busy: above.user + above.system + above.irq + above.softirq };
}

/** Two nodes' use added up (client + server). */
export function addCpu(a: CpuUse, b: CpuUse): CpuUse {
    const sum = (name: keyof CpuUse) => a[name] + b[name];
    return {
        user: sum("user"),
        system: sum("system"),
        irq: sum("irq"),
        softirq: sum("softirq"),
        steal: sum("steal"),
        busy: sum("busy"),
    };
}
