import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { scratchDir } from "../../support/scratch";
import { appendCriLog, logsObject, podLogPath, servedLog } from "./kwok";

const POD = {
    metadata: { name: "calico-node-jt9ln", namespace: "calico-system", uid: "u1" },
    spec: { containers: [{ name: "calico-node" }] },
};

describe("a container's log file", () => {
    it("keeps the lines a container writes before the harness has made its Logs object", () => {
        // Felix started as soon as kwok marked the container running; its first lines (the run's
        // start) came before the 300 ms pod list made the folder, and were lost.
        const root = scratchDir("kwok-log-");
        const file = podLogPath(root, "calico-system", POD.metadata.name, "calico-node");
        appendCriLog(file, ["Successfully loaded configuration."]);
        logsObject(root, POD);
        appendCriLog(file, ["Completed first update to dataplane."]);
        assert.equal(
            servedLog(readFileSync(file, "utf8"), { timestamps: false }),
            "Successfully loaded configuration.\nCompleted first update to dataplane.\n",
        );
    });
});
