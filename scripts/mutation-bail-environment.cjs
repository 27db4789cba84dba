// The test environment of a mutation run (scripts/mutation.mjs): Node's, plus a bail. StrykerJS
// counts a mutant killed as soon as one test fails on it, but it cannot make Jest stop there
// (Jest's `bail` does not work through its API, so Stryker turns it off), and with coverage
// analysis off every mutant runs every test file. So the first failing test of a mutant leaves a
// mark, and in a test file that starts after it every test does nothing: the verdict is the same,
// and a killed mutant costs the files already running instead of the whole suite. (Skipping the
// tests instead would skip the file's hooks too, and with them the testkit's cleanup.)
const { existsSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");

/** Set by StrykerJS for each mutant run (INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE). */
const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

class MutationBailEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    const mutant = process.env[ACTIVE_MUTANT];
    const dir = process.env.SANDBOX_MUTATION_BAIL_DIR;
    if (!mutant || !dir) return; // the dry run, or Jest run directly: every test runs
    const mark = path.join(dir, `killed-${mutant}`);
    if (event.name === "test_done" && event.test.errors.length > 0) writeFileSync(mark, "");
    if (event.name === "run_start" && existsSync(mark)) emptyEveryTest(state.rootDescribeBlock);
  }
}

/** Makes every test of a describe block do nothing; its hooks still run. */
function emptyEveryTest(block) {
  for (const child of block.children) {
    if (child.type === "describeBlock") emptyEveryTest(child);
    else child.fn = () => {};
  }
}

module.exports = MutationBailEnvironment;
