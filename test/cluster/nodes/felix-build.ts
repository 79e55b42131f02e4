/** TEMPORARY dev adapter (replaced by the toolchain's Felix build). */
import { join } from "node:path";
export interface FelixBuild {
    readonly tree: string;
    readonly felix: string;
    readonly configFile: string;
    readonly bpfObjects: string;
}
export function requireFelixBuild(crdSet: string): FelixBuild {
    const version = crdSet.replace(/^aks-managed-calico-/, "");
    const tree = join("/work/shared/src", `calico-${version}`);
    return {
        tree,
        felix: "/tmp/lead-felix/calico-felix",
        configFile: join(tree, "node/filesystem/etc/calico/felix.cfg"),
        bpfObjects: "/tmp/lead-felix/bpf",
    };
}
