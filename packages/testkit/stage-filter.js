// @ts-check
// Jest's `filter` for a learner's `npm test` and `npm run dev` (the preset sets it): of an
// exercise's visible tests, only those of the stages up to and including the first one not yet
// passed, announced in one line. Jest calls it before every run, watch runs included, so a stage
// passed on save widens the next run. It leaves alone a run that is not exactly one exercise's
// visible tests: a path or pattern the learner gave, a package's own tests.
const { visibleTestFiles, stageOfFile } = require("./exercise-layout");
const {
  defaultSelection,
  exerciseOfTestFile,
  learnerStateDir,
  readPassedStages,
  selectionLine,
} = require("./stage-progress");

/**
 * @param {string[]} testPaths absolute paths Jest found
 * @returns {Promise<{ filtered: string[] }>}
 */
async function stageFilter(testPaths) {
  const everything = { filtered: testPaths };
  const exercise = testPaths.length > 0 ? exerciseOfTestFile(testPaths[0] ?? "") : undefined;
  if (!exercise) return everything;
  const visible = visibleTestFiles(exercise.dir);
  const given = new Set(testPaths);
  // Fewer files than the exercise has: the learner chose them (a path, -o, a watch pattern).
  if (visible.length !== given.size || !visible.every((file) => given.has(file))) return everything;
  const selection = defaultSelection(
    exercise.stages,
    readPassedStages(learnerStateDir(), exercise.slug),
  );
  // A file that names no stage (verify rejects it) is never hidden by the selection.
  const filtered = testPaths.filter((file) => {
    const stage = stageOfFile(file);
    return selection.stages.includes(stage) || !exercise.stages.includes(stage);
  });
  // Stages without a visible test file would leave Jest nothing to run: run everything instead.
  if (filtered.length === 0) return everything;
  const watching = process.argv.some((arg) => /^--watch(All)?$/.test(arg));
  const line = selectionLine(selection, watching ? "npm run dev -- --all" : "npm test -- --all");
  // On a terminal, Jest's "Determining test suites to run..." is still on the line: replace it.
  process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}${line}\n`);
  return { filtered };
}

module.exports = stageFilter;
