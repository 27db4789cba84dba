// The one Jest preset every exercise and package uses: `module.exports = { preset: "@backend-sandbox/testkit" }`.
// Tests reach the code under test in the learner's process, which loads it from src/;
// SANDBOX_SOURCE_DIR points it at another folder (a reference solution, a submission) without
// copying or editing test files. The
// configuration itself is built by exercise-layout.js, which the grader uses too.
// Before anything else: on too old a Node, one line and exit 2 rather than a failure deep in Jest.
require("./node-version").exitIfNodeIsTooOld();
const path = require("node:path");
const { exerciseJestConfig, LAYOUT } = require("./exercise-layout");
const { learnerStateDir } = require("./stage-progress");

// Jest gives rootDir (the folder of the config that names this preset); roots stay Jest's default,
// that folder, so `npm run dev` (watch mode) also sees changes under src/.
const {
  rootDir: _rootDir,
  roots: _roots,
  ...preset
} = exerciseJestConfig({
  exerciseDir: "<rootDir>",
  sourceDir: process.env.SANDBOX_SOURCE_DIR || `<rootDir>/${LAYOUT.source}`,
  // SANDBOX_INCLUDE_HIDDEN=1 adds the hidden tests, for authors; the grader builds its own config.
  hiddenDir: process.env.SANDBOX_INCLUDE_HIDDEN ? `<rootDir>/${LAYOUT.hidden}` : undefined,
  // SANDBOX_SEALED=1 runs the learner's process sealed, as grading a submission does.
  sealed: process.env.SANDBOX_SEALED === "1",
  reporters: [
    "default",
    ...(process.env.SANDBOX_RESULTS_DIR ? [path.join(__dirname, "results-reporter.js")] : []),
    ...(learnersOwnRun()
      ? [
          [
            path.join(__dirname, "stage-reporter.js"),
            { stateDir: learnerStateDir(), announce: selectsStages() },
          ],
        ]
      : []),
  ],
});

/**
 * The learner's own code at their keyboard: not CI, and neither a solution nor a submission put in
 * place of src/ (their passes must not be remembered as the learner's).
 */
function learnersOwnRun() {
  return !process.env.CI && !process.env.SANDBOX_SOURCE_DIR;
}

/**
 * One stage at a time (stage-filter.js): by default a learner's run covers the stages up to the
 * first one not yet passed. Hidden tests, CI, and any choice of tests the learner makes on the
 * command line run what was asked: `--all` (Jest's own flag, harmless here), test paths, a path or
 * name pattern.
 */
function selectsStages() {
  return learnersOwnRun() && !process.env.SANDBOX_INCLUDE_HIDDEN && !learnerChoseTests();
}

/**
 * Whether Jest's arguments choose tests: `--all`, `-t`, `--testPathPatterns`, or a positional
 * argument (a test path). Which options take a value comes from Jest's own option table, so
 * `--maxWorkers 2` is not taken for a path.
 * @param {string[]} argv
 */
function learnerChoseTests(argv = process.argv.slice(2)) {
  const { yargsOptions } = require("jest-cli");
  const valued = new Map();
  for (const [name, option] of Object.entries(yargsOptions)) {
    if (option.type === "boolean") continue;
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const aliases = [option.alias ?? []].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
    for (const flag of [`--${name}`, `--${kebab}`, ...aliases]) valued.set(flag, option.type);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (/^(--all|-t|--test-?[nN]ame-?[pP]attern|--test-?[pP]ath-?[pP]atterns)(=|$)/.test(arg))
      return true;
    if (!arg.startsWith("-")) return true;
    if (!valued.has(arg)) continue;
    i++; // its value
    if (valued.get(arg) === "array") while (argv[i + 1] && !argv[i + 1]?.startsWith("-")) i++;
  }
  return false;
}

module.exports = selectsStages()
  ? { ...preset, filter: path.join(__dirname, "stage-filter.js") }
  : preset;
