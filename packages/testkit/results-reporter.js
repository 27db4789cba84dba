// Writes a run's totals to $SANDBOX_RESULTS_DIR/<package>.json, so that one script can add up
// every Jest run of `npm test` into the single "N passed, N failed" line CI reads.
const { mkdirSync, writeFileSync, readFileSync } = require("node:fs");
const path = require("node:path");

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.SANDBOX_RESULTS_DIR;
    if (!dir) return;
    let name = path.basename(this.rootDir);
    try {
      name = JSON.parse(readFileSync(path.join(this.rootDir, "package.json"), "utf8")).name;
    } catch {
      // a folder name will do
    }
    // A file that could not run at all counts as one failure, so a broken suite is never silent.
    const brokenFiles = results.testResults.filter(
      (file) => file.testExecError || (file.failureMessage && file.numFailingTests === 0),
    ).length;
    // Named here too, because CI may show only the end of a long log.
    const failures = results.testResults.flatMap((file) => {
      const where = path.relative(this.rootDir, file.testFilePath);
      if (file.testExecError || (file.failureMessage && file.numFailingTests === 0))
        return [`${where}: could not run`];
      return file.testResults
        .filter((test) => test.status === "failed")
        .map((test) => `${where} › ${test.fullName}`);
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `${name.replace(/[^a-z0-9.-]+/gi, "_")}.json`),
      JSON.stringify({
        name,
        passed: results.numPassedTests,
        failed: results.numFailedTests + brokenFiles,
        failures,
      }),
    );
  }
}

module.exports = ResultsReporter;
