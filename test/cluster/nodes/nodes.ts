/**
 * The tier's nodes for real: each kwok node gets namespaces of its own and real Felix runs there for
 * its calico-node pod (and Typha for a calico-typha pod scheduled there). The scenario starts them after the cluster and stops them before it.
 *
 *   const nodes = await startNodes(cluster, { felix: requireFelix("v3.31.7") });
 *   nodes.dataplane("aks-nodepool1-12345678-vmss000000");  // its real iptables/tc/cgroup state
 *   await nodes.stop();
 */
import { join } from "node:path";
import type { LocalCluster } from "../harness/cluster";
import { FAKE_NODES } from "../harness/kwok";
import { readDataplane, type DataplaneState } from "./dataplane-state";
import { calicoSourceTree, type FelixBuild } from "../toolchain/felix";
import { prepareFelixDatastore, startFelixRuntime, type FelixRuntime } from "./felix-runtime";
import { startNodeNamespaces, type NodeNamespaces } from "./namespaces";

export interface TierNodes {
    readonly namespaces: NodeNamespaces;
    readonly felix: FelixRuntime;
    dataplane(node: string): DataplaneState;
    stop(): Promise<void>;
}

export async function startNodes(
    cluster: LocalCluster,
    options: {
        /** The line's Felix and, where it runs eBPF on the tier, its BPF objects. */
        readonly felix: FelixBuild;
        readonly log?: (line: string) => void;
    },
): Promise<TierNodes> {
    const namespaces = await startNodeNamespaces({
        scratchDir: cluster.scratchDir,
        nodes: FAKE_NODES,
        apiServerPort: Number(new URL(cluster.server).port),
        bpfObjectDir: options.felix.bpfObjects,
        log: options.log,
    });
    try {
        await prepareFelixDatastore(cluster, namespaces, cluster.line.calicoVersion);
        const tree = calicoSourceTree(options.felix.calicoVersion);
        const felix = await startFelixRuntime({
            cluster,
            namespaces,
            binaries: {
                felix: options.felix.felix,
                // The images' config files (LogFilePath None and the like).
                configFile: join(tree, "node/filesystem/etc/calico/felix.cfg"),
                typha: {
                    binary: options.felix.typha,
                    configFile: join(tree, "typha/docker-image/typha.cfg"),
                },
            },
            log: options.log,
        });
        return {
            namespaces,
            felix,
            dataplane: (node) => readDataplane(namespaces, node),
            stop: async () => {
                await felix.stop();
                await namespaces.stop();
            },
        };
    } catch (error) {
        await namespaces.stop();
        throw error;
    }
}
