// tsx for the project's own TypeScript, Node's own loader and resolver for packages. Through tsx's
// hooks every JavaScript file of a package would be read again and scanned for ESM syntax
// (es-module-lexer), and each of its requires resolved by tsx's resolver: about 0.5 of the 1.3
// CPU-s a `sandbox verify --static` spent, and 35 ms and 30 ms more per learner's process for
// express, ioredis and pg (docs/performance.md). Plain CommonJS: it runs before tsx is
// registered. Used by the learner's process (learner/host-boot.js), the grader's CLI
// (bin/sandbox.js) and the warm services' keeper (warm-services/keeper-boot.js).
"use strict";
const Module = require("node:module");
const path = require("node:path");

const IN_PACKAGES = `${path.sep}node_modules${path.sep}`;

/**
 * Registers tsx (`tsx/cjs`) for the process, then hands back to Node every `.js` file under a
 * `node_modules` folder (or in `bundles`) and every `require` made from one. `bundles`: package
 * name -> a file holding the whole package (package-bundles.ts); a `require(name)` from anywhere
 * in the process then gets that file, so all code shares one copy.
 * @param {{ bundles?: Map<string, string> }} [options]
 */
function registerTsxForOwnCode({ bundles = new Map() } = {}) {
  const bundleFiles = new Set(bundles.values());
  const nodeLoadsJs = Module._extensions[".js"];
  const nodeResolves = Module._resolveFilename;
  require("tsx/cjs");
  const tsxLoadsJs = Module._extensions[".js"];
  const tsxResolves = Module._resolveFilename;
  const isPackageCode = (filename) => filename.includes(IN_PACKAGES) || bundleFiles.has(filename);
  Module._extensions[".js"] = function loadJs(module, filename) {
    return (isPackageCode(filename) ? nodeLoadsJs : tsxLoadsJs).call(this, module, filename);
  };
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const bundle = bundles.get(request);
    if (bundle !== undefined) return bundle;
    const fromPackage = parent?.filename != null && isPackageCode(parent.filename);
    return (fromPackage ? nodeResolves : tsxResolves).call(this, request, parent, ...rest);
  };
}

module.exports = { registerTsxForOwnCode };
