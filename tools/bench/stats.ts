/**
 * How repeated measurements are summarised and compared: the median and the full range, and a
 * difference claimed only when the ranges of the two dataplanes do not overlap.
 */

export interface Spread {
    readonly n: number;
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

/** Median and min–max of the values; undefined when there are none. */
export function spread(values: readonly number[]): Spread | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median =
        sorted.length % 2 === 1
            ? (sorted[middle] as number)
            : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
    return { n: sorted.length, median, min: sorted[0] as number, max: sorted.at(-1) as number };
}

/**
 * Repetitions each dataplane needs before the ranges may say "different". With 3 against 3, ranges
 * that do not overlap are the most extreme ordering of 6 values, 1 in C(6,3) = 20 by chance
 * (one-sided p = 0.05); with fewer the rule would call noise a difference.
 */
export const MIN_REPETITIONS_FOR_VERDICT = 3;

export type Verdict =
    | {
          readonly kind: "different";
          /** Change of the median from iptables to eBPF, in percent. */
          readonly changePercent: number;
      }
    | { readonly kind: "no-measurable-difference" }
    | { readonly kind: "too-few-repetitions" };

/** A sign rule, not a significance test: different only when the min–max ranges do not overlap. */
export function verdict(iptables: Spread, bpf: Spread): Verdict {
    if (iptables.n < MIN_REPETITIONS_FOR_VERDICT || bpf.n < MIN_REPETITIONS_FOR_VERDICT)
        return { kind: "too-few-repetitions" };
    const overlap = iptables.min <= bpf.max && bpf.min <= iptables.max;
    if (overlap || iptables.median === 0) return { kind: "no-measurable-difference" };
    return {
        kind: "different",
        changePercent: ((bpf.median - iptables.median) / iptables.median) * 100,
    };
}

/**
 * Whether `count` samples carry the given percentile: at least 10 samples must lie beyond it
 * (p99.9 needs 10,000, p99 1,000), or the value is one outlier's.
 */
export function percentileIsMeaningful(percentile: number, count: number): boolean {
    return count * (1 - percentile / 100) >= 10 - 1e-9;
}
