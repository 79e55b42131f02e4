import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEvent } from "../harness/audit";
import { flipTiming } from "./flip-timing";

const installationWrite = (at: string): AuditEvent => ({
    auditID: "1",
    stage: "ResponseComplete",
    level: "Metadata",
    verb: "patch",
    requestURI: "/apis/operator.tigera.io/v1/installations/default?fieldManager=lab",
    user: { username: "lab-admin" },
    objectRef: { resource: "installations", name: "default" },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
});
const live = (at: string, pid = 7) =>
    `${at} stdout F 2026-12-06 12:00:00.000 [INFO][${String(pid)}] felix/int_dataplane.go 2307: Completed first update to dataplane. secsSinceStart=0.5`;

describe("a flip's timing, from the audit log and Felix's lines", () => {
    it("measures from the Installation write to the last node's first update after it, and on to the end", () => {
        const timing = flipTiming(
            [installationWrite("2026-12-06T12:00:10Z")],
            "2026-12-06T12:00:00Z",
            "lab",
            [
                [live("2026-12-06T12:00:05Z"), live("2026-12-06T12:00:20Z")].join("\n"),
                live("2026-12-06T12:00:30Z"),
            ],
            Date.parse("2026-12-06T12:00:32Z"),
        );
        assert.deepEqual(timing, { installationToLastNodeLive: 20, lastNodeLiveToStepEnd: 2 });
    });

    it("has no answer while a node has not come up since the write", () => {
        const timing = flipTiming(
            [installationWrite("2026-12-06T12:00:10Z")],
            "2026-12-06T12:00:00Z",
            "lab",
            [live("2026-12-06T12:00:20Z"), live("2026-12-06T12:00:05Z")],
            Date.parse("2026-12-06T12:00:32Z"),
        );
        assert.equal(timing, undefined);
    });
});
