#!/usr/bin/env node
// Runs first in every npm script, on whatever Node the user has, so that an old Node gets one line
// saying so instead of a failure deep inside a tool (`Could not find '/…/test/**/*.test.ts'`). Plain
// CommonJS with no newer syntax, so that it runs on old Nodes too.
"use strict";
const { engines } = require("../../package.json");

/** Whether a version `major.minor.patch` meets a `>=major.minor.patch` range. */
function satisfies(version, range) {
    const wanted = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
    const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
    if (!wanted || !have) return false;
    for (let i = 1; i <= 3; i++) {
        if (Number(have[i]) !== Number(wanted[i])) return Number(have[i]) > Number(wanted[i]);
    }
    return true;
}

if (require.main === module && !satisfies(process.versions.node, engines.node)) {
    process.stderr.write(
        "aks-calico-lab needs Node " +
            engines.node.replace(">=", "") +
            " or newer (Node 22 LTS); " +
            "this is Node " +
            process.versions.node +
            ": install Node 22 and run npm ci again\n",
    );
    process.exit(1);
}

module.exports = { satisfies };
