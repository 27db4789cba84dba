// @ts-check
// One stage at a time: which stages of an exercise the learner has passed, and which visible tests
// `npm test` therefore runs. The one owner of `.sandbox/stages-passed.json`: the Jest preset's
// filter reads it, the stage reporter (a learner's `npm test`, `sandbox test`) and `sandbox grade`
// write it through here. Plain CommonJS because Jest loads filters and reporters with require().
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");
const { LAYOUT, TEST_FILE_SUFFIX, stageOfFile } = require("./exercise-layout");
const { readJsonState, writeJsonState } = require("./json-state");

/** The checkout this testkit belongs to. */
const REPO_ROOT = path.resolve(__dirname, "../..");

const PASSED_FILE = "stages-passed.json";

/**
 * Where the learner's state lives (last grades, hints shown, stages passed, backups):
 * SANDBOX_STATE_DIR, or `.sandbox/` at the repository root (ignored by git).
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function learnerStateDir(env = process.env) {
  return path.resolve(env.SANDBOX_STATE_DIR || path.join(REPO_ROOT, ".sandbox"));
}

/**
 * @typedef {object} ExerciseStages
 * @property {string} dir the exercise folder
 * @property {string} slug its folder name
 * @property {string[]} stages stage ids in exercise.json's order
 */

/**
 * The exercise a visible test file (`<exercise>/test/<stage>.test.ts`) belongs to, or undefined
 * for any other file (a hidden test, a package's own test).
 * @param {string} file absolute path
 * @returns {ExerciseStages | undefined}
 */
function exerciseOfTestFile(file) {
  if (!file.endsWith(TEST_FILE_SUFFIX) || path.basename(path.dirname(file)) !== LAYOUT.tests)
    return undefined;
  const dir = path.dirname(path.dirname(file));
  const manifest = path.join(dir, LAYOUT.manifest);
  if (!existsSync(manifest)) return undefined;
  try {
    const stages = JSON.parse(readFileSync(manifest, "utf8")).stages;
    if (!Array.isArray(stages)) return undefined;
    return { dir, slug: path.basename(dir), stages: stages.map((stage) => String(stage.id)) };
  } catch {
    return undefined; // `sandbox verify` names a broken manifest; a test run just runs everything
  }
}

/**
 * The stages of an exercise passed so far, as stage id → when (ISO date).
 * @param {string} stateDir
 * @param {string} slug
 * @returns {Record<string, string>}
 */
function readPassedStages(stateDir, slug) {
  return readAll(stateDir)[slug] ?? {};
}

/**
 * Remembers that these stages passed (every visible test of the stage in an `npm test` or
 * `sandbox test` run, or full points in `sandbox grade`). A pass is never taken back by a later
 * failure: the default selection always runs every stage before the first one not yet passed, so
 * a stage that breaks again shows up in the very next run. Returns the stages that are new.
 * @param {string} stateDir
 * @param {string} slug
 * @param {readonly string[]} stageIds
 * @returns {string[]}
 */
function recordPassedStages(stateDir, slug, stageIds) {
  const all = readAll(stateDir);
  const passed = all[slug] ?? {};
  const added = stageIds.filter((id) => !passed[id]);
  if (added.length === 0) return [];
  const at = new Date().toISOString();
  all[slug] = { ...passed, ...Object.fromEntries(added.map((id) => [id, at])) };
  writeAll(stateDir, all);
  return added;
}

/**
 * Forgets an exercise's passed stages (`sandbox reset` brings the stub back).
 * @param {string} stateDir
 * @param {string} slug
 */
function forgetPassedStages(stateDir, slug) {
  const all = readAll(stateDir);
  if (!all[slug]) return;
  delete all[slug];
  writeAll(stateDir, all);
}

/**
 * @typedef {object} StageSelection
 * @property {string[]} stages the stages whose tests run, in order
 * @property {number} total how many stages the exercise has
 * @property {string | undefined} current the first stage not yet passed (undefined: all passed)
 */

/**
 * The default selection: every stage up to and including the first one not yet passed; every
 * stage once all have passed.
 * @param {readonly string[]} stages in exercise.json's order
 * @param {Record<string, string>} passed
 * @returns {StageSelection}
 */
function defaultSelection(stages, passed) {
  const index = stages.findIndex((id) => !passed[id]);
  return index === -1
    ? { stages: [...stages], total: stages.length, current: undefined }
    : { stages: stages.slice(0, index + 1), total: stages.length, current: stages[index] };
}

/**
 * The one line a run prints about its selection, e.g. "stages 1-3 of 7 (the first not yet passed
 * is 3. stampede); `npm test -- --all` for every stage".
 * @param {StageSelection} selection
 * @param {string} allCommand how to run every stage (`npm test -- --all`)
 * @returns {string}
 */
function selectionLine(selection, allCommand) {
  const { stages, total, current } = selection;
  if (current === undefined)
    return `every stage passed before: all ${total} run; \`npm run grade\` adds the hidden tests`;
  const n = stages.length;
  const which = n === 1 ? `stage 1 of ${total}` : `stages 1-${n} of ${total}`;
  return `${which} (the first not yet passed is ${n}. ${current}); \`${allCommand}\` for every stage`;
}

/**
 * The stages whose visible test file passed whole in a Jest run: it ran, and every test in it
 * passed (none failed, skipped or left todo). Only files `<exercise>/test/<stage>.test.ts` count.
 * @param {readonly { testFilePath: string, testExecError?: unknown, failureMessage?: string | null, numPassingTests: number, numFailingTests: number, numPendingTests: number, numTodoTests: number }[]} fileResults
 * @returns {Map<string, { exercise: ExerciseStages, stages: string[] }>} by exercise folder
 */
function passedInRun(fileResults) {
  /** @type {Map<string, { exercise: ExerciseStages, stages: string[] }>} */
  const found = new Map();
  for (const file of fileResults) {
    const whole =
      !file.testExecError &&
      !file.failureMessage &&
      file.numFailingTests === 0 &&
      file.numPendingTests === 0 &&
      file.numTodoTests === 0 &&
      file.numPassingTests > 0;
    if (!whole) continue;
    const exercise = exerciseOfTestFile(file.testFilePath);
    const stage = stageOfFile(file.testFilePath);
    if (!exercise || !exercise.stages.includes(stage)) continue;
    const entry = found.get(exercise.dir) ?? { exercise, stages: [] };
    entry.stages.push(stage);
    found.set(exercise.dir, entry);
  }
  return found;
}

/**
 * @param {string} stateDir
 * @returns {Record<string, Record<string, string>>}
 */
function readAll(stateDir) {
  return readJsonState(path.join(stateDir, PASSED_FILE));
}

/**
 * @param {string} stateDir
 * @param {Record<string, Record<string, string>>} all
 */
function writeAll(stateDir, all) {
  writeJsonState(path.join(stateDir, PASSED_FILE), all);
}

module.exports = {
  learnerStateDir,
  exerciseOfTestFile,
  readPassedStages,
  recordPassedStages,
  forgetPassedStages,
  defaultSelection,
  selectionLine,
  passedInRun,
};
