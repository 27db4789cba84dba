// The test runner of a mutation run (scripts/mutation.mjs): Jest's own, one test file at a time
// as StrykerJS asks (in band), with two cuts that cannot change a verdict:
// - **Only the files that reach the mutant.** Stryker's dry run (no mutant active) records, per
//   test file, which mutants the code under test reached (the learner's process writes them:
//   packages/testkit/src/learner/mutant-coverage.ts). A file that never reached a mutant's code
//   cannot fail on it: the code under test runs only in the learner's process, and tests import
//   the solution for its types alone. Without a record (a run whose dry run wrote none) every
//   file runs.
// - **Stop at the first failure.** The first file after a mutant's first failing test (the mark
//   scripts/mutation-bail-environment.cjs leaves) starts no further file: Stryker counts a mutant
//   killed as soon as one test fails.
const { existsSync, readFileSync, readdirSync } = require("node:fs");
const path = require("node:path");
const TestRunner = require("jest-runner").default;
const { killedMark } = require("./mutation-bail-environment.cjs");

/** Test file path → the ids of the mutants its learner's processes reached; undefined if none recorded. */
let reaching;

function mutantsReached() {
  const dir = process.env.SANDBOX_MUTATION_COVERAGE_DIR;
  if (reaching || !dir || !existsSync(dir)) return reaching;
  const files = readdirSync(dir).filter((name) => name.endsWith(".json"));
  if (files.length === 0) return undefined;
  reaching = new Map();
  for (const name of files) {
    let record;
    try {
      record = JSON.parse(readFileSync(path.join(dir, name), "utf8"));
    } catch {
      continue; // not a record (the process writes aside and renames, so none is cut short)
    }
    if (!reaching.has(record.testPath)) reaching.set(record.testPath, new Set());
    for (const id of record.mutants) reaching.get(record.testPath).add(id);
  }
  return reaching;
}

class MutationBailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const mark = killedMark();
    if (!mark || !options.serial) return super.runTests(tests, watcher, options);
    const reached = mutantsReached();
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    for (const test of tests) {
      if (existsSync(mark)) return;
      if (reached && !reached.get(test.path)?.has(mutant)) continue;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = MutationBailRunner;
