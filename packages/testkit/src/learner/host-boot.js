// The learner's process starts here (spawn-host.ts), then runs host.ts. The learner's code is
// TypeScript, so tsx loads it; packages are JavaScript, and Node's own loader and resolver take
// them (tsx-own-code.js). Those named in SANDBOX_LEARNER_PACKAGES (JSON: package name -> bundled
// file, package-bundles.ts) load from that one file: a `require("express")` from anywhere in the
// process gets the bundle, so the learner's code and host.ts share one copy.
"use strict";
const { registerTsxForOwnCode } = require("../tsx-own-code");

registerTsxForOwnCode({
  bundles: new Map(Object.entries(JSON.parse(process.env.SANDBOX_LEARNER_PACKAGES || "{}"))),
});

const { TRANSFORMS_AHEAD_ENV, loadTransformsAhead } = require("./transforms-ahead");
if (process.env[TRANSFORMS_AHEAD_ENV]) loadTransformsAhead(process.env[TRANSFORMS_AHEAD_ENV]);

require("./host.ts");
// With Node's compile cache on (unsealed runs, compile-cache.js), write what booting compiled
// now: a learner's process ends by SIGKILL, and Node writes the cache only at a normal exit.
require("node:module").flushCompileCache?.();
