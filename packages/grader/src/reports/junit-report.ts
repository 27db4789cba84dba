import type { ExerciseResult, GradeReport } from "../score/grade-result";
import { escapeXml } from "./escape-markup";

/**
 * JUnit XML (the Ant/Surefire dialect CI systems read): a testsuite per exercise, a testcase per
 * test named `<stage> › <test>`; an exercise that could not be graded is one testcase with <error>,
 * one not started (src/ as shipped) one testcase with <skipped>.
 */
export function junitReport(report: GradeReport): string {
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  const suites = report.exercises.map((exercise) => {
    const tests = exercise.stages.flatMap((stage) => stage.tests.map((test) => ({ stage, test })));
    const failures = tests.filter(({ test }) => test.status === "failed").length;
    const cases = tests.map(({ stage, test }) => {
      const attributes = `classname="${escapeXml(`${exercise.slug}.${stage.id}`)}" name="${escapeXml(`${test.visibility === "hidden" ? "[hidden] " : ""}${test.name}`)}" time="${seconds(test.durationMs)}"`;
      if (test.status === "passed") return `    <testcase ${attributes}/>`;
      const message = test.message ?? "failed";
      return `    <testcase ${attributes}>\n      <failure message="${escapeXml(message.split("\n")[0] ?? "")}">${escapeXml(message)}</failure>\n    </testcase>`;
    });
    const outcome = gradingOutcome(exercise);
    if (outcome)
      cases.push(
        `    <testcase classname="${escapeXml(exercise.slug)}" name="grading" time="${seconds(exercise.durationMs)}">\n      <${outcome} ${outcome === "error" ? `type="${exercise.status}" ` : ""}message="${escapeXml(exercise.reason ?? exercise.status)}"/>\n    </testcase>`,
      );
    const suite = {
      tests: cases.length,
      failures,
      errors: outcome === "error" ? 1 : 0,
      skipped: outcome === "skipped" ? 1 : 0,
    };
    totals.tests += suite.tests;
    totals.failures += suite.failures;
    totals.errors += suite.errors;
    totals.skipped += suite.skipped;
    totals.ms += exercise.durationMs;
    return [
      `  <testsuite name="${escapeXml(exercise.slug)}" tests="${suite.tests}" failures="${suite.failures}" errors="${suite.errors}" skipped="${suite.skipped}" time="${seconds(exercise.durationMs)}">`,
      `    <properties>\n      <property name="status" value="${exercise.status}"/>\n      <property name="score" value="${exercise.score}"/>\n      <property name="maxScore" value="${exercise.maxScore}"/>\n    </properties>`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sandbox grade" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${seconds(totals.ms)}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** The exercise-level testcase's element: <error> when it could not be graded, <skipped> when not started. */
function gradingOutcome(exercise: ExerciseResult): "error" | "skipped" | undefined {
  if (exercise.status === "error" || exercise.status === "timeout") return "error";
  return exercise.status === "not-started" ? "skipped" : undefined;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
