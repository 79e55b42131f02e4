import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    findMarked,
    markerOf,
    parseAccessLog,
    parseAccessLogLine,
} from "../../../tools/verify/access-log";
import { fixtureText } from "../../support/fixtures";

describe("parseAccessLogLine", () => {
    it("reads the hand-run lab's line (Azure/kubernetes-hackfest ebpf-dataplane.md)", () => {
        assert.deepEqual(
            parseAccessLogLine('10.224.0.62 - - [12/Dec/2022 18:55:38] "GET / HTTP/1.1" 200 -'),
            {
                sourceIp: "10.224.0.62",
                time: "12/Dec/2022 18:55:38",
                method: "GET",
                path: "/",
                status: 200,
            },
        );
    });

    it("keeps the query string, where the verification's marker travels", () => {
        const entry = parseAccessLogLine(
            '203.0.113.7 - - [20/Nov/2026 10:05:01] "GET /?lab-verify=1a2b3c HTTP/1.1" 200 -',
        );
        assert.equal(entry?.path, "/?lab-verify=1a2b3c");
        assert.equal(entry.sourceIp, "203.0.113.7");
    });

    it("reads IPv6 clients and unmaps IPv4-mapped ones", () => {
        assert.equal(
            parseAccessLogLine('2001:db8::7 - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" 200 -')
                ?.sourceIp,
            "2001:db8::7",
        );
        assert.equal(
            parseAccessLogLine(
                '::ffff:10.224.0.4 - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" 200 -',
            )?.sourceIp,
            "10.224.0.4",
        );
    });

    it("strips werkzeug's ANSI colours", () => {
        const entry = parseAccessLogLine(
            '10.224.0.33 - - [20/Nov/2026 10:05:09] "\u001b[37mGET /x HTTP/1.1\u001b[0m" 404 -',
        );
        assert.equal(entry?.status, 404);
        assert.equal(entry.path, "/x");
    });

    it("ignores what is not an access line", () => {
        for (const line of [
            "",
            " * Running on http://0.0.0.0:80/ (Press CTRL+C to quit)",
            "Traceback (most recent call last):",
            'not-an-ip - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" 200 -',
            '10.224.0.4 - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" abc -',
            '999.1.1.1 - - [20/Nov/2026 10:05:01] "GET / HTTP/1.1" 200 -',
        ]) {
            assert.equal(parseAccessLogLine(line), undefined, line);
        }
    });
});

describe("parseAccessLog and findMarked", () => {
    it("takes the access lines out of a real-looking pod log", () => {
        const entries = parseAccessLog(fixtureText("customer-pod-log.txt"));
        assert.deepEqual(
            entries.map((e) => [e.sourceIp, e.status]),
            [
                ["10.224.0.4", 200],
                ["10.224.0.33", 404],
                ["10.224.0.4", 500],
            ],
        );
    });

    it("finds the latest request carrying exactly the marker", () => {
        const entries = parseAccessLog(
            [
                '10.224.0.4 - - [20/Nov/2026 10:05:01] "GET /?lab-verify=abc HTTP/1.1" 200 -',
                '203.0.113.7 - - [20/Nov/2026 10:05:02] "GET /?lab-verify=abcd HTTP/1.1" 200 -',
                '10.224.0.33 - - [20/Nov/2026 10:05:03] "GET /?x=1&lab-verify=abc HTTP/1.1" 200 -',
            ].join("\n"),
        );
        assert.equal(findMarked(entries, "abc")?.sourceIp, "10.224.0.33");
        assert.equal(findMarked(entries, "zzz"), undefined);
        assert.equal(markerOf("/"), undefined);
    });
});
