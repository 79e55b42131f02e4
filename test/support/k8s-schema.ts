/**
 * Validates built-in Kubernetes objects with kubernetes-models (JSON schemas generated from the
 * Kubernetes OpenAPI spec). The package is ESM-only, hence the dynamic imports.
 */

interface Model {
    validate(): void;
}
type ModelClass = new (data: never) => Model;

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
    const modules: Record<string, () => Promise<Record<string, unknown>>> = {
        v1: () => import("kubernetes-models/v1"),
        "apps/v1": () => import("kubernetes-models/apps/v1"),
        "networking.k8s.io/v1": () => import("kubernetes-models/networking.k8s.io/v1"),
        "discovery.k8s.io/v1": () => import("kubernetes-models/discovery.k8s.io/v1"),
        "rbac.authorization.k8s.io/v1": () =>
            import("kubernetes-models/rbac.authorization.k8s.io/v1"),
    };
    const load = modules[apiVersion];
    if (load === undefined) throw new Error(`no schema module for ${apiVersion}`);
    const model = (await load())[kind];
    if (typeof model !== "function") throw new Error(`no schema for ${apiVersion} ${kind}`);
    return model as ModelClass;
}

/** Undefined when valid, else the validation error's message. */
export async function schemaErrors(object: Record<string, unknown>): Promise<string | undefined> {
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== "string" || typeof kind !== "string")
        return "apiVersion and kind are required";
    const Model = await modelFor(apiVersion, kind);
    try {
        new Model(object as never).validate();
        return undefined;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
}
