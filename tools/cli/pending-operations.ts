/**
 * The operations an update killed outright leaves pending in the stack. The engine records each
 * operation before it starts and clears it when it ends (pulumi/pulumi pkg/resource/deploy
 * snapshot.go); an update that dies in between leaves it, and every later `up` goes on with a
 * warning and leaves it there: only `pulumi refresh`, run interactively for pending creates,
 * clears them (pkg/resource/deploy/deployment_executor.go printPendingOperationsWarning @v3.276.0).
 *
 * For the lab's own kinds a pending operation decides nothing: a step command runs again when it is
 * created again, and a Kubernetes object is applied server-side, which takes over an object that
 * already exists (found on the cluster tier, faults 1 and 8). So the lab drops those before an
 * update and says so. Any other kind (an Azure resource group or cluster: a create that may have
 * happened is billed and must be imported, not made twice) is left, with one line naming it and
 * the command that settles it.
 */

/** A pending operation as `pulumi stack export` writes it (apitype.OperationV2). */
export interface PendingOperation {
    readonly type: string;
    readonly resource: { readonly urn: string; readonly type: string };
}

/** The part of an exported stack this module reads and writes. */
export interface ExportedStack {
    readonly version: number;
    readonly deployment: { readonly pending_operations?: readonly PendingOperation[] };
}

/** Kinds whose pending operation the next update settles by itself. */
const SETTLED_BY_UPDATE = /^(command:local:Command|kubernetes:.+)$/;

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** Which pending operations the lab drops, and which it leaves to the user. */
export function sortPending(pending: readonly PendingOperation[]): {
    readonly drop: PendingOperation[];
    readonly keep: PendingOperation[];
} {
    const drop = pending.filter((op) => SETTLED_BY_UPDATE.test(op.resource.type));
    return { drop, keep: pending.filter((op) => !drop.includes(op)) };
}

/** One line for what was dropped, one for what is left (none when there is nothing). */
export function pendingLines(
    stack: string,
    drop: readonly PendingOperation[],
    keep: readonly PendingOperation[],
): string[] {
    const list = (ops: readonly PendingOperation[]) =>
        ops.map((op) => `${nameOf(op.resource.urn)} (${op.type})`).join(", ");
    return [
        ...(drop.length === 0
            ? []
            : [
                  `cleared ${String(drop.length)} operation(s) an interrupted update left pending in ` +
                      `stack ${stack}: ${list(drop)}; this update runs them again`,
              ]),
        ...(keep.length === 0
            ? []
            : [
                  `stack ${stack} has ${String(keep.length)} operation(s) an interrupted update left ` +
                      `pending that the lab cannot judge: ${list(keep)}; check them in Azure, then ` +
                      `\`pulumi refresh --stack ${stack}\` (in the project folder) settles them`,
              ]),
    ];
}

/** The stack with `drop` removed from its pending operations. */
export function withoutPending(
    stack: ExportedStack,
    drop: readonly PendingOperation[],
): ExportedStack {
    return {
        ...stack,
        deployment: {
            ...stack.deployment,
            pending_operations: (stack.deployment.pending_operations ?? []).filter(
                (op) => !drop.includes(op),
            ),
        },
    };
}

/** What the lab needs of a stack here: `pulumi stack export` and `import`. */
export interface StackState {
    exportStack(): Promise<ExportedStack>;
    importStack(state: ExportedStack): Promise<void>;
}

/** Drops the pending operations the next update settles; returns the lines to report. */
export async function settlePendingOperations(stack: StackState, name: string): Promise<string[]> {
    const state = await stack.exportStack();
    const { drop, keep } = sortPending(state.deployment.pending_operations ?? []);
    if (drop.length > 0) await stack.importStack(withoutPending(state, drop));
    return pendingLines(name, drop, keep);
}
