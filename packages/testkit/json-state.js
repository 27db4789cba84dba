// @ts-check
// The small JSON files that remember state between runs (the learner's grades, hints and stages
// passed, the warm services' state): read forgivingly, written whole. Plain CommonJS, since Jest
// loads the stage reporter and filter that use it with require().
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const path = require("node:path");

/**
 * The object in a JSON state file, or `{}` when the file is missing, damaged or not an object:
 * a lost state file only forgets what was remembered, never the learner's work.
 * @param {string} file
 * @returns {Record<string, any>}
 */
function readJsonState(file) {
  try {
    const value = JSON.parse(readFileSync(file, "utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Writes a JSON state file whole or not at all (a temporary file renamed over it), so that two
 * processes finishing at once never leave half of one; makes its folder if needed.
 * @param {string} file
 * @param {unknown} value
 */
function writeJsonState(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeWhole(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes `text` to `file` whole or not at all: to a temporary file renamed over it, so a reader
 * never sees half of it. The folder must exist.
 * @param {string} file
 * @param {string} text
 */
function writeWhole(file, text) {
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

module.exports = { readJsonState, writeJsonState, writeWhole };
