#!/usr/bin/env node
// On too old a Node: one line and exit 2, before tsx or the grader could fail less clearly.
require("@backend-sandbox/testkit/node-version").exitIfNodeIsTooOld();
require("@backend-sandbox/testkit/compile-cache").useCompileCache();
// tsx for the grader's and testkit's TypeScript; packages load through Node's own loader.
require("@backend-sandbox/testkit/tsx-own-code").registerTsxForOwnCode();
require("../src/cli.ts");
