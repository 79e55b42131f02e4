/**
 * Before the lab patches anything: is this a cluster whose Calico it can switch? Pure judgments over
 * which Calico APIs the cluster serves; tools/cluster-step reads them.
 */
import { describeObject, INSTALLATION } from "./calico-objects";
import type { CalicoSnapshot } from "./convergence";
import { FELIX_CRD_NAME } from "./felix-schema";

/** The operator's Installation CRD (tigera/operator pkg/crds/operator/operator.tigera.io_installations.yaml @v1.38.6). */
export const INSTALLATION_CRD_NAME = "installations.operator.tigera.io";
/**
 * FelixConfiguration in the `projectcalico.org/v3` API group as CRDs, which operator 1.42+ installs
 * instead of the crd.projectcalico.org/v1 ones when `CALICO_API_GROUP` says so, a DatastoreMigration
 * has moved the cluster, or only the v3 group is served (tigera/operator pkg/apis/version.go
 * UseV3CRDS @v1.42.4).
 */
export const FELIX_V3_CRD_NAME = "felixconfigurations.projectcalico.org";

/** Which of the CRDs the lab cares about the cluster serves. */
export interface CalicoApis {
    readonly installationCrd: boolean;
    readonly felixCrd: boolean;
    readonly felixV3Crd: boolean;
}

/** The lab patches FelixConfiguration as crd.projectcalico.org/v1 (core/calico-objects.ts); v3 is another object. */
export const V3_API_GROUP_MESSAGE =
    `the cluster's Calico runs the projectcalico.org/v3 API group (no ${FELIX_CRD_NAME}, ` +
    `${FELIX_V3_CRD_NAME} instead: tigera/operator 1.42+ on v3 CRDs), which the lab does not switch yet; nothing was patched`;

/**
 * Why the lab must not patch this cluster at all, or undefined. On a cluster the lab created, only
 * the v3 API group rules it out: the rest may still be on its way (the operator registers its CRDs
 * after AKS reports the cluster). On an existing cluster, whatever is missing now stays missing.
 */
export function calicoPreflightProblem(
    apis: CalicoApis,
    snapshot: Pick<CalicoSnapshot, "installationGeneration">,
    existing: boolean,
): string | undefined {
    if (!apis.felixCrd && apis.felixV3Crd) return V3_API_GROUP_MESSAGE;
    if (!existing) return undefined;
    const missing = [
        ...(apis.installationCrd
            ? snapshot.installationGeneration === undefined
                ? [describeObject(INSTALLATION)]
                : []
            : [`CRD ${INSTALLATION_CRD_NAME}`]),
        ...(apis.felixCrd ? [] : [`CRD ${FELIX_CRD_NAME}`]),
    ];
    if (missing.length === 0) return undefined;
    return (
        `the cluster does not run Calico through the Tigera operator as the lab needs: no ` +
        `${missing.join(", no ")}; nothing was patched`
    );
}

/**
 * Why a destroy must stop before it touches Calico, or undefined: relinquishing the lab's patches
 * while eBPF is live would leave the operator to fall back to its defaults with none of the waits,
 * the connect-time load balancer still attached and CoreDNS not restarted.
 */
export function ebpfStillLive(
    snapshot: Pick<CalicoSnapshot, "linuxDataplane" | "felixBpfEnabled">,
): string | undefined {
    if (snapshot.linuxDataplane !== "BPF" && snapshot.felixBpfEnabled !== true) return undefined;
    return (
        `the cluster still runs Calico's eBPF dataplane, and a destroy would leave it half switched: ` +
        `flip it back first (npm run lab -- config set dataplane iptables && npm run lab -- up), then destroy`
    );
}
