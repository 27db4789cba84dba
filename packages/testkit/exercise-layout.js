// @ts-check
// The run contract of an exercise, written once: where its parts live, what a test file is, which
// stage a file belongs to, and the Jest configuration that runs it. The Jest preset (a learner's
// `npm test`) and the grader (every grading run) both build their configuration here. Plain
// CommonJS because Jest loads presets with require(), before any TypeScript transform exists.
const { existsSync, readdirSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Folders of `exercises/<slug>/`, relative to it (../shared/DESIGN.md, "Exercise contract"). */
const LAYOUT = Object.freeze({
  source: "src",
  tests: "test",
  support: "test/support",
  hidden: ".meta/hidden",
  solution: ".meta/solution",
  wrongSolutions: ".meta/wrong-solutions",
  manifest: ".meta/exercise.json",
  hints: ".meta/hints.md",
});

/** Import aliases: `#src/<file>` is the code under test, `#support/<file>` the tests' shared code. */
const ALIASES = Object.freeze({ source: "#src", support: "#support" });

const TEST_FILE_SUFFIX = ".test.ts";

/**
 * The stage a test file belongs to: the first dot-separated part of its name
 * (`test/fixed-window.test.ts`, `.meta/hidden/fixed-window.clients.test.ts` → `fixed-window`).
 * @param {string} file
 * @returns {string}
 */
function stageOfFile(file) {
  return /** @type {string} */ (path.basename(file).split(".")[0]);
}

/**
 * Every test file under a folder, sorted, leaving out `skip` (the support folder) and
 * node_modules: the files a run must report on.
 * @param {string | undefined} dir
 * @param {string} [skip]
 * @returns {string[]}
 */
function testFilesIn(dir, skip) {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(TEST_FILE_SUFFIX))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !(skip && file.startsWith(skip + path.sep)))
    .filter((file) => !file.split(path.sep).includes("node_modules"))
    .sort();
}

/**
 * The visible test files of an exercise (support code excluded).
 * @param {string} exerciseDir
 * @returns {string[]}
 */
function visibleTestFiles(exerciseDir) {
  return testFilesIn(path.join(exerciseDir, LAYOUT.tests), path.join(exerciseDir, LAYOUT.support));
}

/**
 * @typedef {object} ExerciseRun
 * @property {string} exerciseDir absolute, or Jest's `<rootDir>`
 * @property {string} sourceDir the code under test, which the learner's process loads: src/, the solution, a submission's copy
 * @property {string} [hiddenDir] hidden tests to run too; none for a visible-only run
 * @property {boolean} [includeVisible] false runs the hidden tests alone (default true)
 * @property {boolean} [usesServices] false leaves out the global setup that starts Redis and Postgres (default true)
 * @property {string[]} [modulePaths] where hidden tests from outside the checkout resolve packages
 * @property {unknown[]} [reporters] Jest reporters (default ["default"])
 * @property {string} [cacheDirectory] Jest's transform cache
 * @property {number} [maxWorkers] test files run at once
 * @property {string[]} [testFiles] exactly these test files, instead of every one under the roots
 * @property {boolean} [sealed] the learner's process runs in a bubblewrap sandbox
 */

/**
 * The Jest configuration (Jest's `InitialOptions`) that runs an exercise's tests against one
 * source folder. Nothing in it comes from the exercise's own files, so a grading run cannot be
 * steered by what it grades; only `#src` moves.
 * @param {ExerciseRun} run
 * @returns {Record<string, unknown>}
 */
function exerciseJestConfig(run) {
  const testDir = path.join(run.exerciseDir, LAYOUT.tests);
  const supportDir = path.join(run.exerciseDir, LAYOUT.support);
  const roots = run.includeVisible === false ? [] : [testDir];
  if (run.hiddenDir) roots.push(run.hiddenDir);
  return {
    rootDir: run.exerciseDir,
    roots,
    // Exactly the planned files when given (verify grades a wrong solution on some stages only).
    ...(run.testFiles
      ? { testRegex: run.testFiles.map((file) => `^${escapeRegExp(file)}$`) }
      : { testMatch: roots.map((root) => `${root}/**/*${TEST_FILE_SUFFIX}`) }),
    testPathIgnorePatterns: ["/node_modules/", `${escapeRegExp(supportDir)}/`],
    // Node's environment, with a stub's failures said as "not implemented yet" (src/test-environment.ts).
    testEnvironment: path.join(__dirname, "src/test-environment.ts"),
    // ts-jest transpiles only (isolatedModules in the base tsconfig); `npm run typecheck` checks types.
    // Its transforms are cached under a key of their own inputs alone (ts-transformer.js).
    transform: {
      "^.+\\.ts$": [
        path.join(__dirname, "ts-transformer.js"),
        { tsconfig: path.join(__dirname, "../../tsconfig.base.json") },
      ],
    },
    moduleNameMapper: {
      // The code under test runs only in the learner's process (src/learner/): a value import of
      // it from a test fails loudly instead of running it beside the assertions. Tests import
      // `#src` for types alone, which TypeScript resolves through the exercise's tsconfig paths.
      [`^${ALIASES.source}/(.*)$`]: path.join(__dirname, "src/learner/source-elsewhere.js"),
      [`^${ALIASES.support}/(.*)$`]: `${supportDir}/$1`,
    },
    ...(run.modulePaths ? { modulePaths: run.modulePaths } : {}),
    ...(run.usesServices === false
      ? {}
      : {
          globalSetup: path.join(__dirname, "src/global-setup.ts"),
          globalTeardown: path.join(__dirname, "src/global-teardown.ts"),
        }),
    // Where the learner's process (src/learner/) takes its code from; `<rootDir>` paths are left to
    // the testkit, which finds the exercise from the test file (Jest does not expand them here).
    globals: {
      sandboxRun: run.exerciseDir.startsWith("<rootDir>")
        ? { sealed: Boolean(run.sealed) }
        : { exerciseDir: run.exerciseDir, sourceDir: run.sourceDir, sealed: Boolean(run.sealed) },
    },
    setupFilesAfterEnv: [path.join(__dirname, "src/setup-file.ts")],
    testTimeout: 30_000,
    // Tests mostly wait on Redis, Postgres and HTTP, so two files at a time pay off even on two
    // cores (Jest's default, cores - 1, would run one at a time there).
    maxWorkers: run.maxWorkers ?? Math.max(2, os.availableParallelism() - 1),
    reporters: run.reporters ?? ["default"],
    watchman: false,
    ...(run.cacheDirectory ? { cacheDirectory: run.cacheDirectory } : {}),
  };
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

module.exports = {
  LAYOUT,
  ALIASES,
  TEST_FILE_SUFFIX,
  stageOfFile,
  testFilesIn,
  visibleTestFiles,
  exerciseJestConfig,
};
