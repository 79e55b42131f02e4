/** A clock for the poller that only moves when something sleeps, and remembers each sleep. */
import type { Clock } from "../../tools/cli/poll";

export function fakeClock(start = 0): Clock & { readonly sleeps: number[]; time(): number } {
    let time = start;
    const sleeps: number[] = [];
    return {
        now: () => time,
        sleep: (ms: number) => {
            sleeps.push(ms);
            time += ms;
            return Promise.resolve();
        },
        sleeps,
        time: () => time,
    };
}
