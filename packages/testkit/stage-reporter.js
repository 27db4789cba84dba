// @ts-check
// Remembers the stages whose visible tests all passed in a run (stage-progress.js), so that the
// next `npm test` runs one more stage. Added by the preset to a learner's `npm test` and
// `npm run dev`, and by `sandbox test`; never in CI, verify or grading.
const path = require("node:path");
const {
  defaultSelection,
  passedInRun,
  readPassedStages,
  recordPassedStages,
} = require("./stage-progress");

class StageReporter {
  /**
   * @param {unknown} _globalConfig
   * @param {{ stateDir: string, announce?: boolean }} options `announce`: say which stage the next run adds
   */
  constructor(_globalConfig, options) {
    this.stateDir = path.resolve(options.stateDir);
    this.announce = Boolean(options.announce);
  }

  /**
   * @param {unknown} _contexts
   * @param {{ testResults: Parameters<typeof passedInRun>[0] }} results
   */
  onRunComplete(_contexts, results) {
    for (const { exercise, stages } of passedInRun(results.testResults).values()) {
      const passedBefore = readPassedStages(this.stateDir, exercise.slug);
      const added = recordPassedStages(this.stateDir, exercise.slug, stages);
      if (added.length === 0) continue;
      const before = defaultSelection(exercise.stages, passedBefore);
      const after = defaultSelection(exercise.stages, {
        ...passedBefore,
        ...Object.fromEntries(added.map((id) => [id, "now"])),
      });
      if (!this.announce || after.current === before.current) continue;
      const passed = `${before.stages.length}. ${before.current} passed`;
      process.stderr.write(
        after.current === undefined
          ? `${passed}: every stage has passed; \`npm run grade\` adds the hidden tests\n`
          : `${passed}: the next run goes up to ${after.stages.length}. ${after.current}\n`,
      );
    }
  }
}

module.exports = StageReporter;
