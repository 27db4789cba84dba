// A Jest reporter that writes the run's results as `jest --json` does, for runs that bail: Jest
// writes its --outputFile only after every file ran, and a run that stops at its first failing
// file (Jest's `bail`) exits before that, though its reporters are told the run is complete.
// The file is the --outputFile itself: when the run does not stop early, Jest then writes the
// same results over it.
"use strict";
const { writeFileSync } = require("node:fs");
const { formatTestResults } = require("@jest/test-result");

class ResultsReporter {
  /** @param {unknown} _globalConfig @param {{ outputFile: string }} options */
  constructor(_globalConfig, options) {
    this.outputFile = options.outputFile;
  }

  /** @param {unknown} _contexts @param {import("@jest/test-result").AggregatedResult} results */
  onRunComplete(_contexts, results) {
    writeFileSync(this.outputFile, JSON.stringify(formatTestResults(results)));
  }
}

module.exports = ResultsReporter;
