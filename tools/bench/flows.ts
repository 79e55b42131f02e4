/** What the benchmark measures, and in which order a run measures it. */

/** iperf3 flows: pod → pod and pod → service, TCP and UDP. */
export const THROUGHPUT_FLOWS = ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp"] as const;
/** fortio flows to the service: request/response on one connection each (RR), and a new connection per request (CRR). */
export const REQUEST_FLOWS = ["rr", "crr"] as const;
export const FLOWS = [...THROUGHPUT_FLOWS, ...REQUEST_FLOWS] as const;

export type ThroughputFlow = (typeof THROUGHPUT_FLOWS)[number];
export type RequestFlow = (typeof REQUEST_FLOWS)[number];
export type Flow = ThroughputFlow | RequestFlow;

export const FLOW_TITLE: Record<Flow, string> = {
    "p2p-tcp": "pod → pod TCP",
    "p2p-udp": "pod → pod UDP",
    "p2s-tcp": "pod → service TCP",
    "p2s-udp": "pod → service UDP",
    rr: "TCP request/response (RR)",
    crr: "TCP connect + request/response (CRR)",
};

export const isThroughputFlow = (flow: Flow): flow is ThroughputFlow =>
    (THROUGHPUT_FLOWS as readonly string[]).includes(flow);

/**
 * Flows whose cost grows with the number of Services: only a new connection meets kube-proxy's
 * per-Service rules (kubernetes/website content/en/blog/_posts/2025-02-28-nftables-kube-proxy: one
 * KUBE-SERVICES rule per Service, walked for the first packet); established flows skip them.
 */
const SERVICE_SENSITIVE_FLOWS: readonly Flow[] = ["crr"];

/** One thing a run does, in order. */
export type Step =
    | { readonly kind: "standing"; readonly services: number }
    | { readonly kind: "programming"; readonly services: number; readonly repetition: number }
    | {
          readonly kind: "flow";
          readonly flow: Flow;
          readonly services: number;
          readonly repetition: number;
      };

/**
 * The run's steps: for each count of standing Services (ascending), bring the Services up to it,
 * then `repeat` rounds, each measuring the programming latency and then every flow once, so that the
 * repetitions of a flow are spread over the run (interleaved) rather than back to back. Every flow
 * runs at the first count; at larger counts only the flows the Services can slow down.
 */
export function planSteps(
    flows: readonly Flow[],
    services: readonly number[],
    repeat: number,
): Step[] {
    const steps: Step[] = [];
    services.forEach((count, index) => {
        steps.push({ kind: "standing", services: count });
        const flowsHere =
            index === 0 ? flows : flows.filter((f) => SERVICE_SENSITIVE_FLOWS.includes(f));
        for (let repetition = 1; repetition <= repeat; repetition++) {
            steps.push({ kind: "programming", services: count, repetition });
            for (const flow of flowsHere)
                steps.push({ kind: "flow", flow, services: count, repetition });
        }
    });
    return steps;
}
