// The test environment of a mutation run (scripts/mutation.mjs): Node's, plus a bail. StrykerJS
// counts a mutant killed as soon as one test fails on it, but it cannot make Jest stop there
// (Jest's `bail` does not work through its API, so Stryker turns it off), and with coverage
// analysis off every mutant runs every test file. So a mutant's first failing test leaves a mark;
// the rest of its file's tests then do nothing (their hooks still run, and with them the
// testkit's cleanup), and the runner (mutation-bail-runner.cjs) starts no further file.
const { existsSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");

/** Set by StrykerJS for each mutant run (INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE). */
const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

/** The file whose presence says the active mutant is killed; undefined outside a mutant's run. */
function killedMark() {
  const mutant = process.env[ACTIVE_MUTANT];
  const dir = process.env.SANDBOX_MUTATION_BAIL_DIR;
  // No mutant: the dry run, or Jest run directly: every test runs.
  return mutant && dir ? path.join(dir, `killed-${mutant}`) : undefined;
}

class MutationBailEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    const mark = killedMark();
    if (!mark) return;
    // The rest of this file's tests, and of any file that starts later, do nothing.
    if (event.name === "test_done" && event.test.errors.length > 0) {
      writeFileSync(mark, "");
      emptyEveryTest(state.rootDescribeBlock);
    }
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
module.exports.killedMark = killedMark;
