import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { acceleratedNetworking, NIC_SCRIPT, parseNics, podMtu } from "../../../tools/bench/netinfo";

/** What the script prints on an AKS node with accelerated networking (names as Azure's docs show them). */
const AKS_NODE = [
    "nic azv2b1c3d4e5f6 1500",
    "nic enP30832s1 1500 mlx5_core",
    "nic eth0 1500 hv_netvsc",
    "nic lo 65536",
].join("\n");

describe("NICs from /sys/class/net", () => {
    it("keeps device-backed interfaces only: the per-pod veths change from run to run", () => {
        assert.deepEqual(parseNics(AKS_NODE), [
            { name: "enP30832s1", mtu: 1500, driver: "mlx5_core" },
            { name: "eth0", mtu: 1500, driver: "hv_netvsc" },
        ]);
    });

    it("sees accelerated networking in a Mellanox or MANA VF, and its absence without one", () => {
        assert.equal(acceleratedNetworking(parseNics(AKS_NODE)), true);
        assert.equal(
            acceleratedNetworking([
                { name: "eth0", mtu: 1500, driver: "hv_netvsc" },
                { name: "enP1s1", mtu: 1500, driver: "mana" },
            ]),
            true,
        );
        assert.equal(
            acceleratedNetworking([{ name: "eth0", mtu: 1500, driver: "hv_netvsc" }]),
            false,
        );
        assert.equal(acceleratedNetworking([]), undefined);
    });

    it("reads the pod MTU the sampler prints", () => {
        assert.equal(podMtu("cpus 2\nmtu 1500\n1 cpu 1 2 3"), 1500);
        assert.equal(podMtu("cpus 2\n"), undefined);
    });

    it(
        "parses what the script prints on this Linux machine",
        { skip: process.platform !== "linux" },
        () => {
            const result = spawnSync("/bin/sh", ["-c", NIC_SCRIPT], { encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            const lines = result.stdout.trim().split("\n");
            assert.ok(
                lines.some((l) => /^nic lo \d+$/.test(l)),
                result.stdout,
            );
            for (const nic of parseNics(result.stdout)) {
                assert.ok(nic.mtu > 0 && nic.driver !== "" && !nic.driver.includes("/"), nic.name);
            }
        },
    );
});
