/**
 * Is there an Azure credential @pulumi/azure-native 3.28.0 will accept? The provider takes each
 * setting from the stack's `azure-native:<key>` config, else its ARM_* variable, and uses the first
 * method that is configured, failing (not falling through) when that one is incomplete; with none
 * configured it uses the Azure CLI's login, via `az account show` (pulumi/pulumi-azure-native
 * provider/pkg/provider/auth_azidentity.go newSingleMethodAuthCredential, readAuthConfig;
 * azure_cli.go). This mirrors that order, so the lab refuses only what the provider would refuse.
 */

/** A setting as the provider reads it: `azure-native:<configKey>` from the stack file, else the env var. */
export type AzureSettings = (configKey: string, envName: string) => string | undefined;

export function azureSettings(
    env: NodeJS.ProcessEnv,
    stackConfig: Readonly<Record<string, unknown>>,
): AzureSettings {
    return (configKey, envName) => {
        const configured = stackConfig[`azure-native:${configKey}`];
        // A `secure:` value is encrypted in the file: present, value unknown here.
        if (typeof configured === "object" && configured !== null) return "(encrypted)";
        if (typeof configured === "string" && configured !== "") return configured;
        if (typeof configured === "boolean" || typeof configured === "number")
            return String(configured);
        const fromEnv = env[envName];
        return fromEnv === "" ? undefined : fromEnv;
    };
}

export type CredentialCheck =
    /** A method is configured: the provider will use it. */
    | { readonly kind: "found"; readonly description: string }
    /** The configured method lacks a setting: the provider would fail with this message. */
    | { readonly kind: "incomplete"; readonly message: string }
    /** Nothing configured: the provider falls back to the Azure CLI's login. */
    | { readonly kind: "azure-cli"; readonly subscription?: string };

/** Which credential the provider would use, decided from the settings alone. */
export function azureCredential(setting: AzureSettings): CredentialCheck {
    const subscription = setting("subscriptionId", "ARM_SUBSCRIPTION_ID");
    const tenant = setting("tenantId", "ARM_TENANT_ID");
    const client = setting("clientId", "ARM_CLIENT_ID");
    const from = "from ARM_* or azure-native config";
    // Each setting with where it is set: its ARM_* variable or the stack's azure-native config.
    const where: Readonly<Record<string, readonly [string, string]>> = {
        "Subscription ID": ["ARM_SUBSCRIPTION_ID", "subscriptionId"],
        "Tenant ID": ["ARM_TENANT_ID", "tenantId"],
        "Client ID": ["ARM_CLIENT_ID", "clientId"],
    };
    const lacking = (method: string, needed: readonly (readonly [string, unknown])[]) => {
        const missing = needed.find(([, value]) => value === undefined);
        if (missing === undefined) return undefined;
        const [env, key] = where[missing[0]] ?? [];
        // The provider's sentence (auth_azidentity.go), then how to give it the setting.
        const fix =
            env === undefined
                ? ""
                : ` Set ${env}, or run \`npm run lab -- config set azure-native:${key ?? ""} <value>\`.`;
        return {
            kind: "incomplete",
            message: `A ${missing[0]} must be configured when authenticating ${method}.${fix}`,
        } as const;
    };
    if (setting("useDefaultAzureCredential", "ARM_USE_DEFAULT_AZURE_CREDENTIAL") === "true") {
        return (
            lacking("using the Default Azure Credential", [["Subscription ID", subscription]]) ?? {
                kind: "found",
                description: `Azure default credential (ARM_USE_DEFAULT_AZURE_CREDENTIAL), subscription ${subscription ?? ""}`,
            }
        );
    }
    const servicePrincipal = [
        ["Subscription ID", subscription],
        ["Tenant ID", tenant],
        ["Client ID", client],
    ] as const;
    if (setting("clientCertificatePath", "ARM_CLIENT_CERTIFICATE_PATH") !== undefined) {
        return (
            lacking("as a Service Principal using a Client Certificate", servicePrincipal) ?? {
                kind: "found",
                description: `service principal ${client ?? ""} with a client certificate, ${from}`,
            }
        );
    }
    if (setting("clientSecret", "ARM_CLIENT_SECRET") !== undefined) {
        return (
            lacking("as a Service Principal using a Client Secret", servicePrincipal) ?? {
                kind: "found",
                description: `service principal ${client ?? ""} with a client secret, ${from}`,
            }
        );
    }
    if (setting("useOidc", "ARM_USE_OIDC") === "true") {
        const token =
            setting("oidcToken", "ARM_OIDC_TOKEN") ??
            setting("oidcTokenFilePath", "ARM_OIDC_TOKEN_FILE_PATH") ??
            (setting("oidcRequestUrl", "ACTIONS_ID_TOKEN_REQUEST_URL") !== undefined
                ? setting("oidcRequestToken", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
                : undefined);
        return (
            lacking("with OIDC", [
                ...servicePrincipal,
                ["OIDC token or request URL and token", token],
            ]) ?? {
                kind: "found",
                description: `OIDC federated credential for ${client ?? ""}, ${from}`,
            }
        );
    }
    if (setting("useMsi", "ARM_USE_MSI") === "true") {
        return (
            lacking("as a Managed Identity using MSI", [["Subscription ID", subscription]]) ?? {
                kind: "found",
                description: `managed identity${client === undefined ? "" : ` ${client}`} (ARM_USE_MSI)`,
            }
        );
    }
    return subscription === undefined ? { kind: "azure-cli" } : { kind: "azure-cli", subscription };
}

/** `az account show` as the provider runs it (azure_cli.go: `--subscription` when one is configured). */
export function azAccountShowArgs(check: { readonly subscription?: string }): string[] {
    return [
        "account",
        "show",
        "-o",
        "json",
        ...(check.subscription === undefined ? [] : ["--subscription", check.subscription]),
    ];
}

const NO_AZURE_CREDENTIAL =
    "no Azure credential: run `az login` (Azure CLI), or set ARM_CLIENT_ID, ARM_CLIENT_SECRET, " +
    "ARM_TENANT_ID and ARM_SUBSCRIPTION_ID (or another ARM_* login @pulumi/azure-native accepts: OIDC, managed identity, certificate)";

/** The Azure CLI login's one line, from `az account show -o json`. */
function describeAzAccount(json: string): string {
    try {
        const account = JSON.parse(json) as {
            name?: unknown;
            id?: unknown;
            user?: { name?: unknown };
        };
        const name = typeof account.name === "string" ? account.name : "?";
        const id = typeof account.id === "string" ? ` (${account.id})` : "";
        const user = typeof account.user?.name === "string" ? `, as ${account.user.name}` : "";
        return `Azure CLI login: subscription ${name}${id}${user}`;
    } catch {
        return "Azure CLI login";
    }
}

/** What running `az` gave: its exit code and output, or undefined when az is not on PATH. */
export type AzResult =
    { readonly code: number; readonly stdout: string; readonly stderr: string } | undefined;

export class AzureCredentialError extends Error {
    override name = "AzureCredentialError";
}

/**
 * The credential check: the settings decide; only when none is configured is `az account show` run.
 * Returns the line saying which credential was found; throws AzureCredentialError in one line.
 */
export async function checkAzureCredential(
    setting: AzureSettings,
    runAz: (args: readonly string[]) => Promise<AzResult>,
): Promise<string> {
    const check = azureCredential(setting);
    if (check.kind === "found") return check.description;
    if (check.kind === "incomplete") throw new AzureCredentialError(check.message);
    const az = await runAz(azAccountShowArgs(check));
    if (az !== undefined && az.code === 0) return describeAzAccount(az.stdout);
    const why =
        az === undefined
            ? "az is not on PATH"
            : (az.stderr
                  .split("\n")
                  .find((line) => line.trim() !== "")
                  ?.trim() ?? `az exited ${az.code}`);
    throw new AzureCredentialError(`${NO_AZURE_CREDENTIAL} (${why})`);
}
