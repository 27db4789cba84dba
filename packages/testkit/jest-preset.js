// The one Jest preset every exercise and package uses: `module.exports = { preset: "@backend-sandbox/testkit" }`.
// Tests import the code under test through `#src/<file>`; SANDBOX_SOURCE_DIR points that alias at
// another folder (a reference solution, a submission) without copying or editing test files.
const os = require("node:os");
const path = require("node:path");

const sourceDir = process.env.SANDBOX_SOURCE_DIR || "<rootDir>/src";
const reporters = process.env.SANDBOX_RESULTS_DIR
  ? ["default", path.join(__dirname, "results-reporter.js")]
  : ["default"];

module.exports = {
  testEnvironment: "node",
  // ts-jest transpiles only (isolatedModules in the base tsconfig); `npm run typecheck` checks types.
  transform: {
    "^.+\\.ts$": [
      require.resolve("ts-jest"),
      { tsconfig: path.join(__dirname, "../../tsconfig.base.json") },
    ],
  },
  moduleNameMapper: {
    "^#src/(.*)$": `${sourceDir}/$1`,
    // Support code shared by an exercise's visible and hidden tests (hidden tests may live elsewhere).
    "^#support/(.*)$": "<rootDir>/test/support/$1",
  },
  // SANDBOX_INCLUDE_HIDDEN=1 adds the hidden tests, for authors; the grader builds its own config.
  testMatch: process.env.SANDBOX_INCLUDE_HIDDEN
    ? ["<rootDir>/test/**/*.test.ts", "<rootDir>/.meta/hidden/**/*.test.ts"]
    : ["<rootDir>/test/**/*.test.ts"],
  globalSetup: path.join(__dirname, "src/global-setup.ts"),
  globalTeardown: path.join(__dirname, "src/global-teardown.ts"),
  setupFilesAfterEnv: [path.join(__dirname, "src/setup-file.ts")],
  testTimeout: 30_000,
  // Tests mostly wait on Redis, Postgres and HTTP, so two files at a time pay off even on two
  // cores (Jest's default, cores - 1, would run one at a time there).
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  reporters,
};
