import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEvent } from "../harness/audit";
import { flipTiming } from "./flip-timing";

const labWrite = (resource: string, at: string): AuditEvent => ({
    auditID: at,
    stage: "ResponseComplete",
    level: "Metadata",
    verb: "patch",
    requestURI: `/apis/x/v1/${resource}/default?fieldManager=lab`,
    user: { username: "lab-admin" },
    objectRef: { resource, name: "default" },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
});
const live = (at: string, pid = 7) =>
    `${at} stdout F 2026-12-06 12:00:00.000 [INFO][${String(pid)}] felix/int_dataplane.go 2307: Completed first update to dataplane. secsSinceStart=0.5`;

describe("a flip's timing, from the audit log and Felix's lines", () => {
    it("measures from the Installation write to the last node's first update after it, and on to the lab's next write", () => {
        const timing = flipTiming(
            [
                labWrite("felixconfigurations", "2026-12-06T12:00:08Z"),
                labWrite("installations", "2026-12-06T12:00:10Z"),
                labWrite("felixconfigurations", "2026-12-06T12:00:33Z"),
            ],
            "2026-12-06T12:00:00Z",
            "lab",
            [
                [live("2026-12-06T12:00:05Z"), live("2026-12-06T12:00:20Z")].join("\n"),
                live("2026-12-06T12:00:30Z"),
            ],
        );
        assert.deepEqual(timing, { installationToLastNodeLive: 20, lastNodeLiveToNextWrite: 3 });
    });

    it("has no answer while a node has not come up since the write, nor before the next write", () => {
        const writes = [
            labWrite("installations", "2026-12-06T12:00:10Z"),
            labWrite("felixconfigurations", "2026-12-06T12:00:33Z"),
        ];
        const since = "2026-12-06T12:00:00Z";
        const logs = [live("2026-12-06T12:00:20Z"), live("2026-12-06T12:00:05Z")];
        assert.equal(flipTiming(writes, since, "lab", logs), undefined);
        const bothLive = [live("2026-12-06T12:00:20Z"), live("2026-12-06T12:00:21Z")];
        assert.equal(flipTiming(writes.slice(0, 1), since, "lab", bothLive), undefined);
    });
});
