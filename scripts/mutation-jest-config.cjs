// The Jest configuration of a mutation run (`npm run mutation`, scripts/mutation.mjs): the one a
// grading of the reference solution uses (exercise-layout.js, visible + hidden tests), built in
// StrykerJS's sandbox copy of the exercise. Stryker's test runner runs with that copy as its
// working folder, so `#src` and the learner's process load the mutated solution from there and
// not from the checkout.
const path = require("node:path");
const { LAYOUT, exerciseJestConfig } = require("@backend-sandbox/testkit/exercise-layout");

const slug = process.env.SANDBOX_MUTATION_SLUG;
if (!slug) throw new Error("SANDBOX_MUTATION_SLUG is not set: run this through npm run mutation");
const exerciseDir = path.resolve("exercises", slug);
const only = process.env.SANDBOX_MUTATION_TEST_FILES;

module.exports = {
  ...exerciseJestConfig({
    exerciseDir,
    sourceDir: path.join(exerciseDir, LAYOUT.solution),
    hiddenDir: path.join(exerciseDir, LAYOUT.hidden),
    // `--stages` narrows the run to some stages' test files (relative to the exercise folder).
    ...(only ? { testFiles: JSON.parse(only).map((file) => path.join(exerciseDir, file)) } : {}),
  }),
  // Jest's runner and Node's environment, with a bail after a mutant's first failing test.
  runner: path.join(__dirname, "mutation-bail-runner.cjs"),
  testEnvironment: path.join(__dirname, "mutation-bail-environment.cjs"),
};
