import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cliConfig, nearestKey, projectConfig } from "../../core/project-config";

describe("nearestKey", () => {
    it("names the declared key a misspelling meant", () => {
        const declared = Object.keys(projectConfig().config);
        assert.equal(nearestKey("dataPlane", declared), "dataplane");
        assert.equal(nearestKey("nodecount", declared), "nodeCount");
        assert.equal(nearestKey("wiregard", declared), "wireguard");
        assert.equal(nearestKey("x", []), undefined);
    });
});

describe("cliConfig: the Pulumi CLI's treatment of stack config", () => {
    it("merges every Pulumi.yaml default, so a fresh stack runs (a key without one would be missing)", () => {
        const result = cliConfig("dev", {});
        assert.ok("config" in result, "error" in result ? result.error : "");
        assert.deepEqual(
            Object.keys(result.config).sort(),
            Object.keys(projectConfig().config).sort(),
        );
        assert.equal(result.config["allowedClientCidrs"], "[]");
        assert.equal(result.config["nodeCount"], "2");
    });

    it("hands lists to the program as JSON text and keeps the user's values", () => {
        const result = cliConfig("dev", {
            allowedClientCidrs: ["203.0.113.0/24"],
            dataplane: "bpf",
        });
        assert.ok("config" in result);
        assert.equal(result.config["allowedClientCidrs"], '["203.0.113.0/24"]');
        assert.equal(result.config["dataplane"], "bpf");
    });

    it("refuses a value of the wrong type with the CLI's message", () => {
        assert.deepEqual(cliConfig("dev", { allowedClientCidrs: "203.0.113.0/24" }), {
            error: "validating stack config: Stack 'dev' with configuration key 'allowedClientCidrs' must be of type 'array<string>'",
        });
        assert.ok("error" in cliConfig("dev", { allowedClientCidrs: [1, 2] }));
        assert.ok("error" in cliConfig("dev", { dataplane: ["bpf"] }));
    });
});
