/** The cluster as the benchmark sees it: a small interface, a recording fake in tests. */
import type { Clock } from "../cli/poll";
import type { EnvironmentObjects } from "../kube/environment";
import type { Flow } from "./flows";
import type { KubeObject } from "./pods";

export interface BenchCluster {
    /** Calico's objects, the operator, kube-proxy and the nodes, read at one moment. */
    environment(): Promise<EnvironmentObjects>;
    /** The API server's gitVersion. */
    serverVersion(): Promise<string>;
    /** Namespaces of earlier benchmark runs (by the run label), terminating ones included. */
    benchNamespaces(): Promise<string[]>;
    /** Creates the object; resolves with it as the API server stored it. */
    create(object: KubeObject): Promise<unknown>;
    /**
     * Resolves with the pod once it is Running (rejecting if it fails first), or once it has
     * finished, Succeeded or Failed; rejects at the deadline.
     */
    waitForPod(
        namespace: string,
        name: string,
        until: "Running" | "Finished",
        timeoutMs: number,
    ): Promise<unknown>;
    logs(namespace: string, pod: string, container: string): Promise<string>;
    deleteNamespace(name: string): Promise<void>;
    namespaceExists(name: string): Promise<boolean>;
}

export interface BenchOptions {
    readonly runId: string;
    readonly durationSeconds: number;
    readonly flows: readonly Flow[];
    readonly repeat: number;
    /** Counts of standing Services, ascending. */
    readonly services: readonly number[];
    readonly connections: number;
    readonly udpMbps: number;
    readonly progress: (line: string) => void;
    readonly clock: Clock;
}

export class BenchError extends Error {
    override name = "BenchError";
}

export const POD_START_MS = 180_000;
