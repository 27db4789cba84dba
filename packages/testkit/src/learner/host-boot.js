// The learner's process starts here (spawn-host.ts), then runs host.ts. The learner's code is
// TypeScript, so tsx loads it. Packages are JavaScript, and Node's own loader and resolver take
// them: through tsx's hooks each of their files would be read again and scanned for ESM syntax,
// and each of their requires resolved by tsx's resolver (about 35 ms and 30 ms more per process
// for express, ioredis and pg). Those named in SANDBOX_LEARNER_PACKAGES (JSON: package name ->
// bundled file, package-bundles.ts) load from that one file: a `require("express")` from
// anywhere in the process gets the bundle, so the learner's code and host.ts share one copy.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const bundles = new Map(Object.entries(JSON.parse(process.env.SANDBOX_LEARNER_PACKAGES || "{}")));
const bundleFiles = new Set(bundles.values());
const nodeLoadsJs = Module._extensions[".js"];
const nodeResolves = Module._resolveFilename;
require("tsx/cjs");
const tsxLoadsJs = Module._extensions[".js"];
const tsxResolves = Module._resolveFilename;
const inPackages = `${path.sep}node_modules${path.sep}`;
const isPackageCode = (filename) => filename.includes(inPackages) || bundleFiles.has(filename);
Module._extensions[".js"] = function loadJs(module, filename) {
  return (isPackageCode(filename) ? nodeLoadsJs : tsxLoadsJs).call(this, module, filename);
};
Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
  const bundle = bundles.get(request);
  if (bundle !== undefined) return bundle;
  const fromPackage = parent?.filename !== undefined && isPackageCode(parent.filename);
  return (fromPackage ? nodeResolves : tsxResolves).call(this, request, parent, ...rest);
};

require("./host.ts");
// With Node's compile cache on (unsealed runs, compile-cache.js), write what booting compiled
// now: a learner's process ends by SIGKILL, and Node writes the cache only at a normal exit.
require("node:module").flushCompileCache?.();
