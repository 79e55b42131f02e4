import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeVersionProblem } from "../../../tools/lab/node-version";

describe("nodeVersionProblem", () => {
    it("accepts what engines allows and names the gap otherwise", () => {
        assert.equal(nodeVersionProblem("22.19.0", ">=22.19.0"), undefined);
        assert.equal(nodeVersionProblem("24.1.0", ">=22.19.0"), undefined);
        assert.equal(
            nodeVersionProblem("20.19.5", ">=22.19.0"),
            "Node 20.19.5 is not supported: the lab needs Node >=22.19.0 (package.json engines)",
        );
        assert.match(nodeVersionProblem("22.18.0", ">=22.19.0") ?? "", /22\.18\.0/);
    });
});
