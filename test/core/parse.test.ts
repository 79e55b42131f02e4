import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clipped } from "../../core/parse";

describe("clipped", () => {
    it("keeps text within the bound, and cuts longer text to the bound ending in …", () => {
        assert.equal(clipped("abcde", 5), "abcde");
        assert.equal(clipped("abcdef", 5), "abcd…");
        assert.equal(clipped("abcdef", 5).length, 5);
        assert.equal(clipped("", 1), "");
    });
});
