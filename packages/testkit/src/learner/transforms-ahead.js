// The learner's TypeScript transformed ahead, by the test process, so that a learner's process
// finds it compiled and never starts esbuild. tsx compiles what its cache lacks with esbuild's
// synchronous API, whose first call starts a worker thread and esbuild's own process: about 0.13
// CPU-seconds (0.3 with tsx's own work) in every learner's process that meets a file tsx has not
// cached under that path, which is every first process of a verify's wrong solution (a copy of
// the solution under a new folder) and of a sealed run (a cache of its own). The test process
// instead compiles each file once, in esbuild's service it keeps (make-transforms-ahead.ts), into
// the run's scratch folder; the learner's process looks each `.ts` file it loads up there by its
// name and content, and leaves the file to tsx when it is not there (docs/performance.md).
// Plain CommonJS: the learner's process loads it before any of its TypeScript (host-boot.js).
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

/** Set in a learner's process: the folder of the transforms made ahead for its run. */
const TRANSFORMS_AHEAD_ENV = "SANDBOX_LEARNER_TRANSFORMS";

/**
 * The name a transform is kept under: SHA-256 (hex) of the file's base name and its text. The
 * output depends on nothing else of the path (its source map names the file relatively), so
 * copies of one file in different folders share it.
 * @param {string} filename
 * @param {string} text
 * @returns {string}
 */
function transformName(filename, text) {
  return `${createHash("sha256").update(path.basename(filename)).update("\0").update(text).digest("hex")}.js`;
}

/**
 * Has `.ts` files load from `dir` (made by makeTransformsAhead) when their transform is there,
 * through tsx's loader (registered before) when not. Call after tsx is registered.
 * @param {string} dir
 */
function loadTransformsAhead(dir) {
  const tsxLoadsTs = Module._extensions[".ts"];
  Module._extensions[".ts"] = function loadTs(module, filename) {
    let compiled;
    try {
      compiled = readFileSync(
        path.join(dir, transformName(filename, readFileSync(filename, "utf8"))),
        "utf8",
      );
    } catch {
      return tsxLoadsTs.call(this, module, filename);
    }
    module._compile(compiled, filename);
  };
}

module.exports = { TRANSFORMS_AHEAD_ENV, transformName, loadTransformsAhead };
