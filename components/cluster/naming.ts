/** Names derived from the project and stack, so two stacks of the lab never collide in Azure. */

/**
 * The cluster's DNS prefix: lowercase letters, digits and hyphens, starting and ending with an
 * alphanumeric, at most 54 characters (the limit in the ManagedCluster `dnsPrefix` docs of
 * pulumi/pulumi-azure-native, API 2025-09-01).
 */
export function dnsPrefixFor(project: string, stack: string): string {
    const prefix = `${project}-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .slice(0, 54)
        .replace(/^-+|-+$/g, "");
    if (!/^[a-z0-9]/.test(prefix)) {
        throw new Error(
            `cannot derive a DNS prefix from project "${project}" and stack "${stack}"`,
        );
    }
    return prefix;
}
