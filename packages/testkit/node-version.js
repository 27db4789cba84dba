// The Node version the project needs, checked before anything that could fail on an older one
// with a confusing message (Node 20 met a missing API deep in the grader: "Cannot read properties
// of undefined (reading 'bind')"). Plain JavaScript that any Node parses: the grader's entry
// point, the Jest preset and `sandbox doctor` use it.
"use strict";
const { readFileSync } = require("node:fs");
const path = require("node:path");

/** The lowest Node the project runs on: `engines.node` of the root package.json (">=22.22"). */
function wantedNode() {
  try {
    const file = path.join(__dirname, "../../package.json");
    const engines = JSON.parse(readFileSync(file, "utf8")).engines?.node;
    const match = /(\d+)(?:\.(\d+))?/.exec(engines ?? "");
    if (match) return { major: Number(match[1]), minor: Number(match[2] ?? 0) };
  } catch {
    // the documented minimum below
  }
  return { major: 22, minor: 22 };
}

/**
 * Why this Node cannot run the project, in one line, or undefined when it can.
 * @param {string} [version] a Node version ("20.19.2"); this process's by default
 * @returns {string | undefined}
 */
function whyNodeIsTooOld(version = process.versions.node) {
  const wanted = wantedNode();
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > wanted.major || (major === wanted.major && minor >= wanted.minor)) return undefined;
  return `Node ${version} is too old: backend-sandbox needs Node >= ${wanted.major}.${wanted.minor} (24 recommended, as in .nvmrc)`;
}

/** How to get a Node the project runs on. */
const NODE_INSTALL_HINT =
  "Install it with `nvm install` in the repository, or from https://nodejs.org/";

/** Ends this process with that line and exit code 2 when this Node is too old. */
function exitIfNodeIsTooOld() {
  const why = whyNodeIsTooOld();
  if (!why) return;
  process.stderr.write(`${why}. ${NODE_INSTALL_HINT}\n`);
  process.exit(2);
}

module.exports = { wantedNode, whyNodeIsTooOld, exitIfNodeIsTooOld, NODE_INSTALL_HINT };
