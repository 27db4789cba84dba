// The test runner of a mutation run (scripts/mutation.mjs): Jest's own, one test file at a time
// as StrykerJS asks (in band), stopping at the first file after a mutant's first failing test
// (the mark scripts/mutation-bail-environment.cjs leaves). Stryker counts a mutant killed as soon
// as one test fails, so the files left out could not change the verdict; and with coverage
// analysis off, each would cost a learner's process and its databases for nothing.
const { existsSync } = require("node:fs");
const TestRunner = require("jest-runner").default;
const { killedMark } = require("./mutation-bail-environment.cjs");

class MutationBailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const mark = killedMark();
    if (!mark || !options.serial) return super.runTests(tests, watcher, options);
    for (const test of tests) {
      if (existsSync(mark)) return;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = MutationBailRunner;
