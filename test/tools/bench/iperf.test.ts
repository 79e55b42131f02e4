import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIperf3 } from "../../../tools/bench/iperf";
import { fixtureText } from "../../support/fixtures";

const close = (actual: number | undefined, expected: number, tolerance = 0.001) => {
    assert.ok(Math.abs((actual ?? NaN) - expected) < tolerance, `${actual} != ${expected}`);
};

describe("parseIperf3", () => {
    it("reads a TCP report (iperf 3.12): received throughput, sender retransmits, the window", () => {
        const result = parseIperf3(fixtureText("iperf3-tcp.json"));
        assert.equal(result.protocol, "TCP");
        assert.equal(result.version, "iperf 3.12");
        close(result.gbps, 22.0087);
        assert.equal(result.estimated, false);
        assert.equal(result.retransmits, 3);
        assert.deepEqual([result.start, result.end], [1795423531, 1795423533]);
    });

    it("reads a UDP report of iperf 3.11+ from end.sum_received: what the receiver got", () => {
        const result = parseIperf3(fixtureText("iperf3-udp.json"));
        assert.equal(result.protocol, "UDP");
        close(result.gbps, 1.8577);
        assert.ok(result.sentGbps > result.gbps, "the sender sent more than was received");
        assert.equal(result.estimated, false);
        close(result.lossPercent, 7.0543);
        assert.equal(result.lostPackets, 1076);
        assert.ok((result.jitterMs ?? 0) > 0);
        assert.equal(result.retransmits, undefined);
    });

    it("estimates the received rate of an iperf 3.9 UDP report, which has only the sender's", () => {
        const result = parseIperf3(fixtureText("bench-iperf3-3.9-udp.json"));
        assert.equal(result.version, "iperf 3.9");
        close(result.sentGbps, 0.999988);
        // 0.999988 Gbit/s sent × (1 − 5.0002 % lost), not the 1.000 Gbit/s end.sum says.
        close(result.gbps, 0.94999, 0.0001);
        assert.equal(result.estimated, true);
        close(result.lossPercent, 5.0002);
        assert.equal(result.packets, 863257);
        // The window leaves out the omitted first second.
        assert.deepEqual([result.start, result.end], [1793613601, 1793613611]);
    });

    it("finds the report among stderr lines a pod log interleaves", () => {
        const report = fixtureText("bench-iperf3-3.9-udp.json").trimEnd().split("\n");
        const log = [
            "iperf3: warning - UDP block size 1448 exceeds TCP MSS 1398, may result in fragmentation / drops",
            ...report.slice(0, 5),
            "iperf3: interrupt - the client has terminated",
            ...report.slice(5),
        ].join("\n");
        assert.equal(parseIperf3(log).version, "iperf 3.9");
    });

    it("turns iperf3's errors and stray output into clear failures", () => {
        assert.throws(
            () =>
                parseIperf3(
                    '{"start": {}, "error": "unable to connect to server: Connection refused"}',
                ),
            /iperf3 failed: unable to connect/,
        );
        assert.throws(
            () => parseIperf3("iperf3: error - the server is busy"),
            /no JSON report: iperf3: error/,
        );
        assert.throws(
            () => parseIperf3('{"start": {"test_start": {"protocol": "SCTP"}}}'),
            /no TCP\/UDP protocol/,
        );
    });
});
