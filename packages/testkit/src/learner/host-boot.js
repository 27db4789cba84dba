// The learner's process starts here (spawn-host.ts), then runs host.ts. The learner's code is
// TypeScript, so tsx loads it; packages under node_modules are JavaScript, and Node's own loader
// takes them: through tsx's hooks each of their files would be read again and scanned for ESM
// syntax, about 35 ms more per process for express, ioredis and pg (docs/performance.md).
"use strict";
const Module = require("node:module");
const path = require("node:path");

const nodeLoadsJs = Module._extensions[".js"];
require("tsx/cjs");
const tsxLoadsJs = Module._extensions[".js"];
const inPackages = `${path.sep}node_modules${path.sep}`;
Module._extensions[".js"] = function loadJs(module, filename) {
  return (filename.includes(inPackages) ? nodeLoadsJs : tsxLoadsJs).call(this, module, filename);
};

require("./host.ts");
// With Node's compile cache on (unsealed runs, compile-cache.js), write what booting compiled
// now: a learner's process ends by SIGKILL, and Node writes the cache only at a normal exit.
require("node:module").flushCompileCache?.();
