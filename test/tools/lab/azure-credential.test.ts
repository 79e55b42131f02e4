import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    azAccountShowArgs,
    azureCredential,
    azureSettings,
    checkAzureCredential,
    type AzResult,
} from "../../../tools/lab/azure-credential";

const SP = {
    ARM_CLIENT_ID: "app",
    ARM_CLIENT_SECRET: "s3cret",
    ARM_TENANT_ID: "t",
    ARM_SUBSCRIPTION_ID: "sub",
};

/** An `az` that is not on PATH, recording whether it was run at all. */
function noAz(ran: string[][]) {
    return (args: readonly string[]): Promise<AzResult> => {
        ran.push([...args]);
        return Promise.resolve(undefined);
    };
}

describe("checkAzureCredential", () => {
    it("passes on a complete ARM_* service principal with no az on PATH, without running az", async () => {
        const ran: string[][] = [];
        const line = await checkAzureCredential(azureSettings(SP, {}), noAz(ran));
        assert.match(line, /service principal app with a client secret/);
        assert.ok(!line.includes("s3cret"), "the secret never appears");
        assert.deepEqual(ran, []);
    });
    it("fails in one line naming both ways when there is neither", async () => {
        await assert.rejects(
            checkAzureCredential(azureSettings({}, {}), noAz([])),
            (error: Error) => {
                assert.ok(!error.message.includes("\n"));
                assert.match(error.message, /az login/);
                assert.match(
                    error.message,
                    /ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID/,
                );
                assert.match(error.message, /az is not on PATH/);
                return true;
            },
        );
    });
    it("fails an incomplete ARM_* set with the provider's message, without trying az", async () => {
        const ran: string[][] = [];
        const { ARM_TENANT_ID: _tenant, ...noTenant } = SP;
        await assert.rejects(
            checkAzureCredential(azureSettings(noTenant, {}), noAz(ran)),
            /^AzureCredentialError: A Tenant ID must be configured when authenticating as a Service Principal using a Client Secret\. Set ARM_TENANT_ID, or run `npm run lab -- config set azure-native:tenantId <value>`\.$/,
        );
        assert.deepEqual(ran, []);
        // Client id, secret and tenant but no subscription: the line names ARM_SUBSCRIPTION_ID.
        const { ARM_SUBSCRIPTION_ID: _subscription, ...noSubscription } = SP;
        await assert.rejects(
            checkAzureCredential(azureSettings(noSubscription, {}), noAz(ran)),
            /A Subscription ID must be configured .* Set ARM_SUBSCRIPTION_ID, or run `npm run lab -- config set azure-native:subscriptionId <value>`/,
        );
    });
    it("accepts an Azure CLI login and says whose", async () => {
        const az = (): Promise<AzResult> =>
            Promise.resolve({
                code: 0,
                stdout: JSON.stringify({
                    name: "Lab subscription",
                    id: "0000",
                    user: { name: "ana@example.com" },
                }),
                stderr: "",
            });
        assert.equal(
            await checkAzureCredential(azureSettings({}, {}), az),
            "Azure CLI login: subscription Lab subscription (0000), as ana@example.com",
        );
    });
    it("reports az's own reason when it has no login", async () => {
        const az = (): Promise<AzResult> =>
            Promise.resolve({
                code: 1,
                stdout: "",
                stderr: "ERROR: Please run 'az login' to setup account.\n",
            });
        await assert.rejects(
            checkAzureCredential(azureSettings({}, {}), az),
            /\(ERROR: Please run 'az login' to setup account\.\)$/,
        );
    });
});

describe("azureCredential", () => {
    it("follows the provider's order: default credential, certificate, secret, OIDC, MSI, then the CLI", () => {
        const kind = (env: NodeJS.ProcessEnv) => azureCredential(azureSettings(env, {}));
        assert.match(
            JSON.stringify(kind({ ...SP, ARM_USE_DEFAULT_AZURE_CREDENTIAL: "true" })),
            /default credential/,
        );
        assert.match(
            JSON.stringify(kind({ ...SP, ARM_CLIENT_CERTIFICATE_PATH: "/c.pfx" })),
            /client certificate/,
        );
        assert.deepEqual(
            kind({
                ARM_USE_OIDC: "true",
                ARM_CLIENT_ID: "a",
                ARM_TENANT_ID: "t",
                ARM_SUBSCRIPTION_ID: "s",
            }),
            {
                kind: "incomplete",
                message:
                    "A OIDC token or request URL and token must be configured when authenticating with OIDC.",
            },
        );
        assert.equal(
            kind({
                ARM_USE_OIDC: "true",
                ARM_CLIENT_ID: "a",
                ARM_TENANT_ID: "t",
                ARM_SUBSCRIPTION_ID: "s",
                ACTIONS_ID_TOKEN_REQUEST_URL: "u",
                ACTIONS_ID_TOKEN_REQUEST_TOKEN: "k",
            }).kind,
            "found",
        );
        assert.match(
            JSON.stringify(kind({ ARM_USE_MSI: "true", ARM_SUBSCRIPTION_ID: "s" })),
            /managed identity/,
        );
        assert.deepEqual(kind({ ARM_USE_MSI: "true" }), {
            kind: "incomplete",
            message:
                "A Subscription ID must be configured when authenticating as a Managed Identity using MSI. Set ARM_SUBSCRIPTION_ID, or run `npm run lab -- config set azure-native:subscriptionId <value>`.",
        });
        assert.deepEqual(kind({ ARM_USE_MSI: "false", ARM_SUBSCRIPTION_ID: "s" }), {
            kind: "azure-cli",
            subscription: "s",
        });
    });
    it("reads the stack's azure-native config before the environment; an encrypted value counts", () => {
        const settings = azureSettings(
            { ARM_CLIENT_ID: "from-env" },
            {
                "azure-native:clientId": "from-config",
                "azure-native:clientSecret": { secure: "v1:abc" },
                "azure-native:tenantId": "t",
                "azure-native:subscriptionId": "s",
            },
        );
        assert.deepEqual(azureCredential(settings), {
            kind: "found",
            description:
                "service principal from-config with a client secret, from ARM_* or azure-native config",
        });
    });
    it("runs az account show as the provider does, with the configured subscription", () => {
        assert.deepEqual(azAccountShowArgs({}), ["account", "show", "-o", "json"]);
        assert.deepEqual(azAccountShowArgs({ subscription: "s" }), [
            "account",
            "show",
            "-o",
            "json",
            "--subscription",
            "s",
        ]);
    });
});
