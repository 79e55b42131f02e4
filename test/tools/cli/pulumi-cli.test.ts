import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withDownloadCause } from "../../../tools/cli/automation";
import { closedUrl } from "../../support/http-server";
import {
    chooseCli,
    cliCacheRoot,
    findPulumiCli,
    NoPulumiCliError,
    PINNED_CLI_VERSION,
    probeProblem,
    type CliInstaller,
} from "../../../tools/cli/pulumi-cli";

describe("cliCacheRoot", () => {
    it("is under XDG_CACHE_HOME when it is absolute, else ~/.cache", () => {
        assert.equal(
            cliCacheRoot({ XDG_CACHE_HOME: "/c" }, "/home/u", "3.276.0"),
            "/c/aks-calico-lab/pulumi/3.276.0",
        );
        assert.equal(
            cliCacheRoot({}, "/home/u", "3.276.0"),
            "/home/u/.cache/aks-calico-lab/pulumi/3.276.0",
        );
        assert.equal(
            cliCacheRoot({ XDG_CACHE_HOME: "rel" }, "/home/u", "3.276.0"),
            "/home/u/.cache/aks-calico-lab/pulumi/3.276.0",
        );
    });
    it("defaults to the SDK's version", () => {
        assert.equal(PINNED_CLI_VERSION, "3.276.0");
        assert.match(cliCacheRoot({ XDG_CACHE_HOME: "/c" }, "/h"), /\/3\.276\.0$/);
    });
});

describe("chooseCli", () => {
    const good = { command: "/usr/bin/pulumi", version: "3.280.0" };
    const cached = { command: "/c/bin/pulumi", version: "3.276.0" };
    const wanted = { root: "/c", mayInstall: true };
    it("prefers a usable CLI on PATH, then the cache", () => {
        assert.deepEqual(chooseCli({ path: good, cache: cached }, wanted), {
            action: "use",
            ...good,
            where: "PATH",
        });
        assert.deepEqual(chooseCli({ path: { problem: "not found" }, cache: cached }, wanted), {
            action: "use",
            ...cached,
            where: "cache",
        });
    });
    it("installs into the cache when neither is usable, saying why", () => {
        assert.deepEqual(
            chooseCli(
                {
                    path: { problem: "version 3.100.0 is older than 3.276.0" },
                    cache: { problem: "not found" },
                },
                wanted,
            ),
            {
                action: "install",
                root: "/c",
                reason: "pulumi on PATH: version 3.100.0 is older than 3.276.0",
            },
        );
    });
    it("fails with the way out when it may not install", () => {
        const choice = chooseCli(
            { path: { problem: "not found" }, cache: { problem: "not found" } },
            { root: "/c", mayInstall: false },
        );
        assert.match(
            JSON.stringify(choice),
            /"action":"fail".*none in \/c.*npm run lab -- version/,
        );
    });
});

describe("probeProblem", () => {
    it("reads the SDK's refusals", () => {
        assert.equal(
            probeProblem("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"),
            "not found",
        );
        assert.equal(
            probeProblem(
                "Minimum version requirement failed. The minimum CLI version requirement is 3.276.0, your current CLI version is 3.100.0. Please update the Pulumi CLI.",
            ),
            "version 3.100.0 is older than 3.276.0",
        );
        assert.equal(
            probeProblem(
                "Major version mismatch. You are using Pulumi CLI version 4.0.0 with Automation SDK v3. Please update the SDK.",
            ),
            "version 4.0.0 is another major version",
        );
    });
});

describe("findPulumiCli", () => {
    function installer(found: Record<string, string>, installs: string[]): CliInstaller<string> {
        return {
            get: (root) => {
                const where = root ?? "PATH";
                const command = found[where];
                return command === undefined
                    ? Promise.reject(new Error("Command failed with ENOENT"))
                    : Promise.resolve(command);
            },
            install: (root) => {
                installs.push(root);
                found[root] = `${root}/bin/pulumi`;
                return Promise.resolve(`${root}/bin/pulumi`);
            },
            describe: (cli) => ({ command: cli, version: "3.276.0" }),
        };
    }
    it("uses the CLI on PATH without installing anything", async () => {
        const installs: string[] = [];
        const lines: string[] = [];
        const cli = await findPulumiCli(installer({ PATH: "pulumi" }, installs), {
            root: "/c",
            mayInstall: true,
            report: (line) => lines.push(line),
        });
        assert.equal(cli, "pulumi");
        assert.deepEqual(installs, []);
        assert.deepEqual(lines, ["Pulumi CLI 3.276.0 (pulumi, from PATH)"]);
    });
    it("installs into the cache folder and says where", async () => {
        const installs: string[] = [];
        const lines: string[] = [];
        const cli = await findPulumiCli(installer({}, installs), {
            root: "/c",
            mayInstall: true,
            report: (line) => lines.push(line),
        });
        assert.equal(cli, "/c/bin/pulumi");
        assert.deepEqual(installs, ["/c"]);
        assert.match(
            lines[0] ?? "",
            /installing the Pulumi CLI 3\.276\.0 into \/c \(pulumi on PATH: not found\)/,
        );
        assert.match(lines[1] ?? "", /installed: \/c\/bin\/pulumi/);
    });
    it("never installs for a read-only tool", async () => {
        const installs: string[] = [];
        await assert.rejects(
            findPulumiCli(installer({}, installs), {
                root: "/c",
                mayInstall: false,
                report: () => undefined,
            }),
            NoPulumiCliError,
        );
        assert.deepEqual(installs, []);
    });
    it("reports a failed download in one line", async () => {
        const failing: CliInstaller<string> = {
            get: () => Promise.reject(new Error("spawn pulumi ENOENT")),
            install: async () => {
                throw await withDownloadCause(
                    new Error(`Failed to download ${url}: fetch failed`),
                    url,
                );
            },
            describe: (cli) => ({ command: cli, version: "?" }),
        };
        const url = `${await closedUrl()}/install.sh`;
        await assert.rejects(
            findPulumiCli(failing, { root: "/c", mayInstall: true, report: () => undefined }),
            (error: Error) => {
                assert.equal(error.message.split("\n").length, 1);
                assert.match(
                    error.message,
                    /^could not install the Pulumi CLI into \/c: Failed to download .*: fetch failed \(.*ECONNREFUSED.*\); install it yourself \(.*https:\/\/www\.pulumi\.com\/docs\/install\/\), put its folder on PATH/,
                );
                return true;
            },
        );
    });
});
