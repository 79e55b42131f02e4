/**
 * The AKS lines the cluster tier runs, in the order it builds and runs them (test/cluster/run.ts
 * builds the first before the tests, the others beside them). 3.31.7 and 3.30.7 (the patch releases
 * AKS's 1.35/1.36 and 1.33/1.34 lines may move to) run the whole scenario and the fault suite.
 * 3.31.2, AKS's default build, predates the connect-time load balancer's fix for kernels 6.12+
 * (projectcalico/calico#11399, in v3.31.3), so on this machine's kernel its eBPF Felix would panic:
 * the lab refuses that flip, and the line shows the refusal and no more.
 */
import { operatorFor } from "./toolchain/operator-build";

export const LINES = [
    { calico: "v3.31.7", ebpf: true },
    { calico: "v3.30.7", ebpf: true },
    { calico: "v3.31.2", ebpf: false },
] as const;

export type TierLine = (typeof LINES)[number];

/** The tigera/operator the tier runs with a line (toolchain/operator-build.ts), e.g. `1.40.2`. */
export const operatorOf = (line: TierLine): string => operatorFor(line.calico).operator;
