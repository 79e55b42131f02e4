import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIperf3 } from "../../../tools/bench/iperf";
import { fixtureText } from "../../support/fixtures";

describe("parseIperf3 (recorded iperf 3.12 reports)", () => {
    it("reads a TCP report: received throughput, sender retransmits, the measured window", () => {
        const result = parseIperf3(fixtureText("iperf3-tcp.json"));
        assert.equal(result.protocol, "TCP");
        assert.ok(Math.abs(result.gbps - 22.0087) < 0.001, String(result.gbps));
        assert.equal(result.retransmits, 3);
        assert.deepEqual([result.start, result.end], [1795423531, 1795423533]);
    });

    it("reads a UDP report: received throughput, loss and jitter", () => {
        const result = parseIperf3(fixtureText("iperf3-udp.json"));
        assert.equal(result.protocol, "UDP");
        assert.ok(Math.abs(result.gbps - 1.8577) < 0.001, String(result.gbps));
        assert.ok(Math.abs((result.lossPercent ?? 0) - 7.0543) < 0.001);
        assert.ok((result.jitterMs ?? 0) > 0);
        assert.equal(result.retransmits, undefined);
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
