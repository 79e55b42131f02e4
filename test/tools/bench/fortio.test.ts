import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFortio } from "../../../tools/bench/fortio";
import { fixtureText } from "../../support/fixtures";

describe("parseFortio (fortio 1.75 report shapes)", () => {
    it("reads an RR run (TCP echo): rate, percentiles in µs, connections, the window", () => {
        const result = parseFortio(fixtureText("bench-fortio-rr.json"));
        assert.equal(result.runType, "TCP");
        assert.equal(result.version, "1.75.3");
        assert.equal(result.connections, 4);
        assert.equal(result.requests, 1837035);
        assert.equal(result.errors, 0);
        assert.equal(result.ratePerSecond, 61234.5);
        assert.ok(Math.abs((result.latency.percentilesUs["99.9"] ?? 0) - 1120) < 1e-6);
        assert.ok(Math.abs((result.latency.percentilesUs["50"] ?? 0) - 121) < 1e-6);
        assert.equal(result.latency.buckets.length, 5);
        assert.equal(result.connect, undefined);
        assert.equal(result.start, Date.parse("2026-11-23T09:10:00.25Z") / 1000);
        assert.ok(Math.abs(result.end - result.start - 30.000412345) < 1e-6);
    });

    it("reads a CRR run (HTTP without keep-alive): connect times, and failed requests as errors", () => {
        const result = parseFortio(fixtureText("bench-fortio-crr.json"));
        assert.equal(result.runType, "HTTP");
        assert.equal(result.errors, 3);
        assert.equal(result.sockets, 153608);
        assert.ok(Math.abs((result.connect?.percentilesUs["99"] ?? 0) - 920) < 1e-6);
        assert.equal(result.connect?.count, 153608);
    });

    it("finds the report in a pod log between fortio's stderr lines", () => {
        const report = fixtureText("bench-fortio-crr.json").trimEnd().split("\n");
        const log = [
            "Fortio 1.75.3 running at 0 queries per second, 2->2 procs, for 30s: http://10.0.88.1:8080/",
            '{"ts":1795423800.1,"level":"info","msg":"Starting","thread":0}',
            ...report.slice(0, 40),
            "All done 153608 calls (plus 4 warmup) 0.780 ms avg, 5120.2 qps",
            ...report.slice(40),
            "Successfully wrote 9876 bytes of Json data to stdout",
        ].join("\n");
        assert.equal(parseFortio(log).requests, 153608);
    });

    it("says what fortio printed when there is no report", () => {
        assert.throws(
            () =>
                parseFortio(
                    "Fortio 1.75.3 running at 0 queries per second\nAborting because of dial tcp 10.0.88.1:8080: connect: connection refused",
                ),
            /fortio printed no JSON report: .*Aborting because of dial tcp/,
        );
    });
});
