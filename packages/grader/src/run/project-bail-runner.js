// Jest's test runner for a batch of gradings (verify's wrong solutions, jest-config.ts): one Jest
// process whose projects are the gradings, each stopping at its own first failing file, as Jest's
// `bail` stops a run of one. Jest's `bail` counts failures across all projects, so the batch turns
// it off and this runner starts no further file of a project once one of its files had a failing
// test; the other projects go on. Files run one at a time, in the sequencer's order.
// Jest documents custom runners (https://jestjs.io/docs/configuration#runner-string); this one
// subclasses Jest's own and hands it one file at a time.
"use strict";
const TestRunner = require("jest-runner").default;

class ProjectBailRunner extends TestRunner {
  /**
   * @param {Array<import("@jest/test-result").Test>} tests
   * @param {import("jest-runner").TestWatcher} watcher
   * @param {import("jest-runner").TestRunnerOptions} options
   */
  async runTests(tests, watcher, options) {
    /** @type {Set<string>} the projects (their displayName) with a failing file */
    const failed = new Set();
    // graderBatchJestConfig() names every project (the projects share one `id`).
    const project = (test) => test.context.config.displayName?.name ?? "";
    const offSuccess = this.on("test-file-success", ([test, result]) => {
      if (result.numFailingTests > 0 || result.testExecError) failed.add(project(test));
    });
    const offFailure = this.on("test-file-failure", ([test]) => failed.add(project(test)));
    try {
      for (const test of tests) {
        if (watcher.isInterrupted()) break;
        if (!failed.has(project(test)))
          await super.runTests([test], watcher, { ...options, serial: true });
      }
    } finally {
      offSuccess();
      offFailure();
    }
  }
}

module.exports = ProjectBailRunner;
