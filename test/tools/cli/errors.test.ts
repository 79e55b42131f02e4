import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeError } from "../../../tools/cli/errors";

describe("describeError", () => {
    it("includes the causes that fetch hides", () => {
        assert.equal(
            describeError(new Error("a", { cause: new Error("b", { cause: "c" }) })),
            "a (b (c))",
        );
        assert.equal(describeError("plain"), "plain");
    });
});
