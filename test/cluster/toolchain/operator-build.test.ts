import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { operatorFor } from "./operator-build";

describe("the operator the cluster tier builds for a Calico line", () => {
    it("takes the tree of the line's operator minor and deploys the line's own Calico", () => {
        assert.deepEqual(operatorFor("v3.30.7"), { operator: "1.38.6", calico: "v3.30.7" });
        assert.deepEqual(operatorFor("3.31.7"), { operator: "1.40.2", calico: "v3.31.7" });
        assert.deepEqual(operatorFor("v3.31.2"), { operator: "1.40.2", calico: "v3.31.2" });
    });

    it("names the minors it has a tree for when a line has none", () => {
        assert.throws(
            () => operatorFor("v3.29.5"),
            /no tigera\/operator tree for Calico v3\.29\.5 \(have: 3\.30, 3\.31\)/,
        );
    });
});
