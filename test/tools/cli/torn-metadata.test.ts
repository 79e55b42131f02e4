import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isWholeSidecar, removeTornSidecars, tornSidecars } from "../../../tools/cli/torn-metadata";
import { scratchDir } from "../../support/scratch";

/** A sidecar as the tier's Pulumi CLI (v3.276.0) wrote it for a stack file. */
const WHOLE =
    '{"user.cache_control":"","user.content_disposition":"","user.content_encoding":"",' +
    '"user.content_language":"","user.content_type":"text/plain; charset=utf-8",' +
    '"user.metadata":null,"md5":"4GYdRltMjMCn4V/LRagW5Q=="}\n';

function stateWith(files: Readonly<Record<string, string>>): string {
    const stateDir = scratchDir("torn-metadata-");
    for (const [file, text] of Object.entries(files)) {
        const path = join(stateDir, file);
        mkdirSync(join(path, ".."), { recursive: true });
        writeFileSync(path, text);
    }
    return stateDir;
}

describe("torn metadata sidecars", () => {
    it("tells a whole sidecar from an empty, cut-short or foreign one", () => {
        assert.equal(isWholeSidecar(WHOLE), true);
        assert.equal(isWholeSidecar(""), false);
        assert.equal(isWholeSidecar(WHOLE.slice(0, 20)), false);
        assert.equal(isWholeSidecar("[]"), false);
        assert.equal(isWholeSidecar("null"), false);
    });
    it("finds the torn sidecars anywhere under .pulumi and nothing else", () => {
        const stateDir = stateWith({
            ".pulumi/stacks/aks-calico-lab/dev.json": "{}",
            ".pulumi/stacks/aks-calico-lab/dev.json.attrs": "",
            ".pulumi/stacks/aks-calico-lab/dev.json.bak.attrs": WHOLE,
            ".pulumi/history/aks-calico-lab/dev/dev-1.history.json.attrs": WHOLE.slice(0, 30),
            ".pulumi/meta.yaml.attrs": WHOLE,
            // Outside .pulumi: not the backend's.
            "other.attrs": "",
            // Not a sidecar, however it reads.
            ".pulumi/stacks/aks-calico-lab/prod.json": "",
        });
        assert.deepEqual(tornSidecars(stateDir), [
            ".pulumi/history/aks-calico-lab/dev/dev-1.history.json.attrs",
            ".pulumi/stacks/aks-calico-lab/dev.json.attrs",
        ]);
    });
    it("removes them, keeps the files they describe, and says so in one line", () => {
        const stateDir = stateWith({
            ".pulumi/stacks/aks-calico-lab/dev.json": "{}",
            ".pulumi/stacks/aks-calico-lab/dev.json.attrs": "",
            ".pulumi/meta.yaml.attrs": WHOLE,
        });
        const lines = removeTornSidecars(stateDir);
        assert.equal(lines.length, 1);
        assert.match(
            lines[0] ?? "",
            /^removed 1 torn metadata file\(s\) .*: \.pulumi\/stacks\/aks-calico-lab\/dev\.json\.attrs; /,
        );
        const stacks = join(stateDir, ".pulumi", "stacks", "aks-calico-lab");
        assert.equal(existsSync(join(stacks, "dev.json.attrs")), false);
        assert.equal(existsSync(join(stacks, "dev.json")), true);
        assert.equal(existsSync(join(stateDir, ".pulumi", "meta.yaml.attrs")), true);
        assert.deepEqual(removeTornSidecars(stateDir), [], "a second pass finds nothing");
    });
    it("says nothing for a state folder that does not exist yet", () => {
        assert.deepEqual(removeTornSidecars(join(scratchDir("torn-metadata-"), "none")), []);
    });
});
