#!/usr/bin/env node
// On too old a Node: one line and exit 2, before tsx or the grader could fail less clearly.
require("@backend-sandbox/testkit/node-version").exitIfNodeIsTooOld();
require("@backend-sandbox/testkit/compile-cache").useCompileCache();
require("tsx/cjs");
require("../src/cli.ts");
