// A Jest reporter for a batch of gradings (one Jest process, one project per grading: jest-config.ts):
// writes each project's results apart, each as `jest --json` would for a run of that project
// alone, keyed by the project's displayName, so that each grading is scored on its own files.
"use strict";
const { writeFileSync } = require("node:fs");
const {
  addResult,
  formatTestResults,
  makeEmptyAggregatedTestResult,
} = require("@jest/test-result");

class BatchResultsReporter {
  /** @param {unknown} _globalConfig @param {{ outputFile: string }} options */
  constructor(_globalConfig, options) {
    this.outputFile = options.outputFile;
    /** @type {Map<string, import("@jest/test-result").AggregatedResult>} */
    this.byProject = new Map();
  }

  /**
   * @param {import("@jest/test-result").Test} test
   * @param {import("@jest/test-result").TestResult} result
   */
  onTestResult(test, result) {
    const project = test.context.config.displayName?.name ?? "";
    if (!this.byProject.has(project)) this.byProject.set(project, makeEmptyAggregatedTestResult());
    addResult(this.byProject.get(project), result);
  }

  /** @param {unknown} _contexts @param {import("@jest/test-result").AggregatedResult} results */
  onRunComplete(_contexts, results) {
    const written = {};
    for (const [project, aggregated] of this.byProject) {
      aggregated.success =
        aggregated.numFailedTests === 0 && aggregated.numRuntimeErrorTestSuites === 0;
      aggregated.wasInterrupted = results.wasInterrupted;
      written[project] = formatTestResults(aggregated);
    }
    writeFileSync(this.outputFile, JSON.stringify(written));
  }
}

module.exports = BatchResultsReporter;
