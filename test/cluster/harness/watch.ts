/**
 * A watch that stays open until stopped: reopened a second after the server closes it or it fails
 * (the API server ends every watch after its timeout).
 */
import type * as k8s from "@kubernetes/client-node";

/** An error's first line. */
export const message = (error: unknown): string =>
    error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);

export function watchForever(
    watch: k8s.Watch,
    path: string,
    query: Record<string, string>,
    onEvent: (phase: string, object: unknown) => void,
    log: (line: string) => void,
    stopped: () => boolean,
    controllers: Set<AbortController>,
): void {
    const open = (): void => {
        if (stopped()) return;
        let controller: AbortController | undefined;
        const reopen = (error: unknown): void => {
            if (controller) controllers.delete(controller);
            if (stopped()) return;
            if (error) log(`watch ${path}: ${message(error)}; reopening`);
            setTimeout(open, 1000);
        };
        watch
            .watch(
                path,
                query,
                (phase, object: unknown) => {
                    onEvent(phase, object);
                },
                reopen,
            )
            .then((c) => {
                controller = c;
                controllers.add(c);
            })
            .catch(reopen);
    };
    open();
}
