// The nightly's flaky-test report (.github/workflows/nightly.yml): reads the verify.json that
// `sandbox verify <slug> --repeat 20` leaves in SANDBOX_RESULTS_DIR and prints Markdown for the
// job summary. A solution test that failed in some of the runs and passed in others is flaky;
// any other failed check (a test failing every time, a wrong solution not caught) is listed too.
// Usage: node scripts/flaky-tests.mjs <results dir> <slug>. Exit 0: it reports, verify judges.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const [dir = ".sandbox/results", slug = "?"] = process.argv.slice(2);
const file = path.join(dir, "verify.json");
const lines = [`### Flaky tests: ${slug}`, ""];
if (!existsSync(file)) {
  lines.push(`No ${path.basename(file)}: verify did not finish (see the job's log).`);
} else {
  const { passed, failures = [] } = JSON.parse(readFileSync(file, "utf8"));
  // everyRun() (packages/grader/src/score/verify-checks.ts): "failed in N of M runs; first: ..."
  const sometimes = /: failed in (\d+) of (\d+) runs(?:; first: (.*))?$/;
  const flaky = [];
  const other = [];
  for (const failure of failures) {
    const match = sometimes.exec(failure);
    if (match && Number(match[1]) < Number(match[2]))
      flaky.push([failure.slice(0, match.index), match]);
    else other.push(failure);
  }
  const cell = (text) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  if (flaky.length === 0) lines.push("No flaky test: the solution's tests passed in every run.");
  else {
    lines.push("| test | failed | first failure |", "| --- | --- | --- |");
    for (const [test, [, failed, runs, first]] of flaky)
      lines.push(`| ${cell(test)} | ${failed} of ${runs} | ${cell(first ?? "")} |`);
  }
  if (other.length > 0)
    lines.push("", "Other failed checks:", "", ...other.map((failure) => `- ${cell(failure)}`));
  lines.push("", `${passed} checks passed, ${failures.length} failed.`);
}
console.log(lines.join("\n"));
