/**
 * Validates what the program sends to Calico's custom resources against the real CRD schemas in
 * ../shared/crds: the latest release and every Calico line AKS ships. A field a CRD does not
 * declare is an error here, where the API server would prune it or reject it.
 */
import Ajv, { type ErrorObject } from "ajv";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { yamlFileOnce } from "./fixtures";

/** ../shared/crds beside the clone; LAB_SHARED_CRDS points elsewhere (a git worktree's ../shared is another folder). */
export const SHARED_CRDS =
    process.env["LAB_SHARED_CRDS"] ?? join(__dirname, "..", "..", "..", "shared", "crds");

export const FELIX_CRD_FILE = "crd.projectcalico.org_felixconfigurations.yaml";
export const INSTALLATION_CRD_FILE = "operator.tigera.io_installations.yaml";

export interface CrdSet {
    /** `latest` for the folder itself, else the subfolder's name (`aks-managed-calico-v3.30.3`). */
    readonly label: string;
    readonly dir: string;
    /** The Calico release the set comes from (`v3.30.3`): the subfolder's name, or PROVENANCE.md's tag of the latest. */
    readonly calicoVersion: string | undefined;
}

/** The tag PROVENANCE.md gives the top-level FelixConfiguration CRD (the latest release). */
function latestCalicoVersion(): string | undefined {
    const provenance = join(SHARED_CRDS, "PROVENANCE.md");
    if (!existsSync(provenance)) return undefined;
    const row = new RegExp(
        `^\\| \`${FELIX_CRD_FILE.replace(/\./g, "\\.")}\` \\|[^|]*\\|[^|]*\\| (v[\\d.]+) \\|`,
        "m",
    );
    return row.exec(readFileSync(provenance, "utf8"))?.[1];
}

/**
 * The schema sets of ../shared/crds/PROVENANCE.md, found by listing the folder: the latest release
 * at its top, and every subfolder holding a FelixConfiguration CRD, so a set added later is
 * covered without a change here. Empty when the folder is absent.
 */
export const CRD_SETS: readonly CrdSet[] = existsSync(SHARED_CRDS)
    ? [
          { label: "latest", dir: SHARED_CRDS, calicoVersion: latestCalicoVersion() },
          ...readdirSync(SHARED_CRDS, { withFileTypes: true })
              .filter((entry) => entry.isDirectory())
              .map((entry) => ({
                  label: entry.name,
                  dir: join(SHARED_CRDS, entry.name),
                  calicoVersion: /-(v\d+\.\d+\.\d+)$/.exec(entry.name)?.[1],
              }))
              .sort((a, b) => a.label.localeCompare(b.label)),
      ].filter((set) => existsSync(join(set.dir, FELIX_CRD_FILE)))
    : [];

/** The set of a subfolder (`aks-managed-calico-v3.31.2`), for tests about one AKS line. */
export function crdSet(label: string): CrdSet {
    const set = CRD_SETS.find((s) => s.label === label);
    if (set === undefined) throw new Error(`no CRD set ${label} in ${SHARED_CRDS}`);
    return set;
}

let noticeShown = false;

/**
 * Whether the schema sets are here. A user's clone has no ../shared: the tests that need it skip
 * with a one-line notice. CI (CI=true) never skips them.
 */
export function crdSetsAvailable(): boolean {
    const available = CRD_SETS.length > 0;
    if (!available && process.env["CI"] === "true") {
        throw new Error(`CRD schemas not found at ${SHARED_CRDS}; CI must run these tests`);
    }
    if (!available && !noticeShown) {
        console.log(`notice: ${SHARED_CRDS} not found; CRD schema tests skipped`);
        noticeShown = true;
    }
    return available;
}

/** The parsed CRD in `file` of a set. */
export function readCrd(set: CrdSet, file: string): Crd {
    return yamlFileOnce(join(set.dir, file)) as Crd;
}

export type Schema = Record<string, unknown>;

export interface Crd {
    spec: {
        names: { kind: string };
        versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
    };
}

/**
 * Makes a structural CRD schema strict for JSON Schema: an object with declared properties accepts
 * no others (Kubernetes prunes them), int-or-string becomes a union, and `required` is dropped for
 * partial objects (a server-side apply patch carries only the fields it owns).
 */
function strict(schema: Schema, partial: boolean): Schema {
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "required" && partial) continue;
        if (key === "properties" && typeof value === "object" && value !== null) {
            out[key] = Object.fromEntries(
                Object.entries(value as Record<string, Schema>).map(([k, v]) => [
                    k,
                    strict(v, partial),
                ]),
            );
        } else if (
            (key === "items" || key === "additionalProperties") &&
            typeof value === "object" &&
            value !== null
        ) {
            out[key] = strict(value as Schema, partial);
        } else if (
            (key === "allOf" || key === "anyOf" || key === "oneOf") &&
            Array.isArray(value)
        ) {
            out[key] = (value as Schema[]).map((v) => strict(v, partial));
        } else {
            out[key] = value;
        }
    }
    if (schema["x-kubernetes-int-or-string"] === true) {
        delete out["type"];
        out["anyOf"] = [{ type: "integer" }, { type: "string" }];
    }
    const preservesUnknown = schema["x-kubernetes-preserve-unknown-fields"] === true;
    if (
        schema["properties"] !== undefined &&
        schema["additionalProperties"] === undefined &&
        !preservesUnknown
    ) {
        out["additionalProperties"] = false;
    }
    return out;
}

/** Go's RE2 flag prefix `(?i)` (in Calico's patterns) as a JavaScript flag. */
function goRegExp(pattern: string, flags: string): RegExp {
    return pattern.includes("(?i)")
        ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`)
        : new RegExp(pattern, flags);
}
goRegExp.code = "goRegExp";

/** The Ajv instance CRD schemas compile with: every error, Go's regular expressions. */
export const crdAjv = (): Ajv =>
    new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });

const ajv = crdAjv();

/** The strict v1 schema of the CRD in `file` of a set, read once per process. */
const strictSchemas = new Map<string, Schema>();
export function strictSchema(set: CrdSet, file: string, partial: boolean): Schema {
    const key = JSON.stringify([set.dir, file, partial]);
    const known = strictSchemas.get(key);
    if (known !== undefined) return known;
    const version = readCrd(set, file).spec.versions.find((v) => v.name === "v1");
    if (version === undefined) throw new Error(`${file} has no v1 version`);
    const schema = strict(version.schema.openAPIV3Schema, partial);
    strictSchemas.set(key, schema);
    return schema;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The part of `schema` that can apply to `values`: each `properties` keeps only the keys some value
 * carries. A declared key's subschema applies only when the key is present, and an undeclared key
 * is still refused by `additionalProperties`, so validating against this part gives the same result
 * and errors as validating against the whole schema; compiling it costs a fraction (an
 * Installation CRD's schema is over a megabyte).
 */
export function applicableSchema(schema: Schema, values: readonly unknown[]): Schema {
    const objects = values.filter(isObject);
    const out: Schema = { ...schema };
    const properties = schema["properties"] as Record<string, Schema> | undefined;
    if (properties !== undefined) {
        out["properties"] = Object.fromEntries(
            Object.entries(properties)
                .map(([key, sub]) => [key, sub, objects.filter((o) => key in o)] as const)
                .filter(([, , carriers]) => carriers.length > 0)
                .map(([key, sub, carriers]) => [
                    key,
                    applicableSchema(
                        sub,
                        carriers.map((o) => o[key]),
                    ),
                ]),
        );
    }
    const additional = schema["additionalProperties"];
    if (isObject(additional)) {
        const undeclared = objects.flatMap((o) =>
            Object.entries(o)
                .filter(([key]) => properties === undefined || !(key in properties))
                .map(([, value]) => value),
        );
        out["additionalProperties"] = applicableSchema(additional, undeclared);
    }
    const items = schema["items"];
    if (isObject(items)) {
        const elements = values.filter((v) => Array.isArray(v)).flat();
        out["items"] = applicableSchema(items, elements);
    }
    for (const key of ["allOf", "anyOf", "oneOf"]) {
        const branches = schema[key];
        if (Array.isArray(branches)) {
            out[key] = (branches as Schema[]).map((branch) => applicableSchema(branch, values));
        }
    }
    return out;
}

/** Validates a value, keeping the errors of the last call as Ajv's validators do. */
export interface CrdValidator {
    (value: unknown): boolean;
    errors?: ErrorObject[] | null;
}

/** A validator for the v1 schema of the CRD in `file` of a set. */
export function crdValidator(
    set: CrdSet,
    file: string,
    options: { partial: boolean },
): CrdValidator {
    const schema = strictSchema(set, file, options.partial);
    const validate: CrdValidator = (value) => {
        const compiled = ajv.compile(applicableSchema(schema, [value]));
        const valid = compiled(value);
        validate.errors = compiled.errors;
        return valid;
    };
    return validate;
}

/** Ajv's errors in one line each, for assertion messages. */
export function describeErrors(validate: { errors?: ErrorObject[] | null }): string {
    return (validate.errors ?? [])
        .map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
        .join("\n");
}
