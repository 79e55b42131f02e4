import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { felixBuild, felixLines, requireFelix } from "./build";
import { bpfGplObjects, objectsAtLogLevel, SHARED_SRC, treeGoVersion } from "./felix";

describe("the BPF objects built for Felix's log level", () => {
    const names = [
        "bin/from_wep_no_log_co-re.o",
        "bin/from_wep_debug_co-re.o",
        "bin/connect_balancer_no_log_co-re_v46.o",
        "bin/connect_balancer_debug_co-re_v46.o",
        "bin/xdp_debug.o",
        "bin/tc_preamble.o",
        "bin/common_map_stub.o",
    ];

    it("at off: the no_log objects and those named for no level", () => {
        assert.deepEqual(objectsAtLogLevel(names, "off"), [
            "bin/from_wep_no_log_co-re.o",
            "bin/connect_balancer_no_log_co-re_v46.o",
            "bin/tc_preamble.o",
            "bin/common_map_stub.o",
        ]);
    });

    it("at debug (any case): the debug objects and those named for no level", () => {
        assert.deepEqual(objectsAtLogLevel(names, "Debug"), [
            "bin/from_wep_debug_co-re.o",
            "bin/connect_balancer_debug_co-re_v46.o",
            "bin/xdp_debug.o",
            "bin/tc_preamble.o",
            "bin/common_map_stub.o",
        ]);
    });

    const tree = join(SHARED_SRC, "calico-v3.31.7", "felix", "bpf-gpl");
    it("upstream's Makefile lists both levels, so half its level objects are built", () => {
        const all = bpfGplObjects(tree);
        const off = objectsAtLogLevel(all, "off");
        const levelled = all.filter((name) => /_(no_log|debug)/.test(name));
        assert.ok(off.includes("bin/tc_preamble_ingress.o"));
        assert.ok(off.includes("bin/conntrack_cleanup_no_log_co-re_v4.o"));
        assert.ok(off.every((name) => !name.includes("_debug")));
        assert.equal(off.length, all.length - levelled.length / 2);
    });
});

describe("the Go a Calico tree is built with (Typha's)", () => {
    it("is its go.mod's go directive, with its patch", () => {
        assert.equal(treeGoVersion("module x\n\ngo 1.25.13\n\nrequire (\n"), "1.25.13");
        assert.throws(() => treeGoVersion("module x\n\ngo 1.25\n"), /names no go x\.y\.z/);
    });
});

describe("felixBuild and requireFelix", () => {
    it("name a line with or without its v, each with its BPF objects", () => {
        assert.deepEqual(felixLines(), ["v3.31.7", "v3.30.7", "v3.31.2"]);
        const aksDefault = felixBuild("3.31.2");
        assert.equal(aksDefault.calicoVersion, "v3.31.2");
        assert.match(aksDefault.felix, /felix\/v3\.31\.2\/calico-felix$/);
        assert.match(aksDefault.typha, /felix\/v3\.31\.2\/calico-typha$/);
        assert.match(aksDefault.bpfObjects, /felix\/v3\.31\.2\/bpf$/);
        assert.match(felixBuild("v3.31.7").bpfObjects, /felix\/v3\.31\.7\/bpf$/);
    });

    it("refuse a line the tier does not build, naming those it does", () => {
        assert.throws(
            () => felixBuild("3.29.0"),
            /no Felix build for Calico 3\.29\.0; the tier builds v3\.31\.7, v3\.30\.7, v3\.31\.2/,
        );
    });

    it("say what is missing and the command that builds it", () => {
        const cache = mkdtempSync(join(tmpdir(), "felix-cache-"));
        const saved = process.env["XDG_CACHE_HOME"];
        process.env["XDG_CACHE_HOME"] = cache;
        try {
            assert.throws(
                () => requireFelix("v3.30.7"),
                (error: Error) =>
                    error.message.startsWith("Felix for Calico v3.30.7 missing: ") &&
                    error.message.includes(join(cache, "aks-calico-lab", "cluster-tier")) &&
                    error.message.includes("/bpf") &&
                    error.message.endsWith("(run: npm run build:cluster)"),
            );
        } finally {
            if (saved === undefined) delete process.env["XDG_CACHE_HOME"];
            else process.env["XDG_CACHE_HOME"] = saved;
            rmSync(cache, { recursive: true, force: true });
        }
    });
});
