// Node's compile cache (https://nodejs.org/api/module.html#module-compile-cache): the bytecode V8
// made of each module, kept on disk and reused while the file's text is unchanged, so that a
// process does not compile Jest, tsx, ioredis and pg again. The grader starts hundreds of Node
// processes that load the same files (about 0.1 s of CPU saved per Jest process, 0.05 s per
// learner's process: docs/performance.md). Plain JavaScript, loaded before tsx.
"use strict";
const path = require("node:path");
const Module = require("node:module");

/** Where the cache lives: `.sandbox/cache/node` at the repository root (ignored by git). */
const COMPILE_CACHE_DIR = path.resolve(__dirname, "../..", ".sandbox", "cache", "node");

/**
 * Turns the cache on for this process and, through NODE_COMPILE_CACHE, for every process it
 * starts that inherits its environment (Jest and its workers; spawn-host.ts hands it to unsealed
 * learners' processes only, since sealed code must not write what trusted processes load). A
 * NODE_COMPILE_CACHE already set wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off (Node's own).
 * @returns {string | undefined} the directory in use, or undefined when off
 */
function useCompileCache() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  process.env.NODE_COMPILE_CACHE ||= COMPILE_CACHE_DIR;
  Module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
  return process.env.NODE_COMPILE_CACHE;
}

module.exports = { useCompileCache, COMPILE_CACHE_DIR };
