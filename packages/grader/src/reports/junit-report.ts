import type { GradeReport } from "../score/grade-result";
import { escapeXml } from "./escape-markup";

/**
 * JUnit XML (the Ant/Surefire dialect CI systems read): a testsuite per exercise, a testcase per
 * test named `<stage> › <test>`; an exercise that could not be graded is one testcase with <error>,
 * one not started (src/ as shipped) one testcase with <skipped>.
 */
export function junitReport(report: GradeReport): string {
  const suites = report.exercises.map((exercise) => {
    const tests = exercise.stages.flatMap((stage) => stage.tests.map((test) => ({ stage, test })));
    const ungraded = exercise.status === "error" || exercise.status === "timeout";
    const notStarted = exercise.status === "not-started";
    const failures = tests.filter(({ test }) => test.status === "failed").length;
    const cases = tests.map(({ stage, test }) => {
      const attributes = `classname="${escapeXml(`${exercise.slug}.${stage.id}`)}" name="${escapeXml(`${test.visibility === "hidden" ? "[hidden] " : ""}${test.name}`)}" time="${seconds(test.durationMs)}"`;
      if (test.status === "passed") return `    <testcase ${attributes}/>`;
      const message = test.message ?? "failed";
      return `    <testcase ${attributes}>\n      <failure message="${escapeXml(message.split("\n")[0] ?? "")}">${escapeXml(message)}</failure>\n    </testcase>`;
    });
    if (ungraded) {
      cases.push(
        `    <testcase classname="${escapeXml(exercise.slug)}" name="grading" time="${seconds(exercise.durationMs)}">\n      <error type="${exercise.status}" message="${escapeXml(exercise.reason ?? exercise.status)}"/>\n    </testcase>`,
      );
    }
    if (notStarted)
      cases.push(
        `    <testcase classname="${escapeXml(exercise.slug)}" name="grading" time="0.000">\n      <skipped message="${escapeXml(exercise.reason ?? exercise.status)}"/>\n    </testcase>`,
      );
    const count = tests.length + (ungraded || notStarted ? 1 : 0);
    return [
      `  <testsuite name="${escapeXml(exercise.slug)}" tests="${count}" failures="${failures}" errors="${ungraded ? 1 : 0}" skipped="${notStarted ? 1 : 0}" time="${seconds(exercise.durationMs)}">`,
      `    <properties>\n      <property name="status" value="${exercise.status}"/>\n      <property name="score" value="${exercise.score}"/>\n      <property name="maxScore" value="${exercise.maxScore}"/>\n    </properties>`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  const all = report.exercises;
  const tests = all.reduce(
    (n, e) =>
      n +
      e.stages.reduce((m, s) => m + s.tests.length, 0) +
      (e.status === "error" || e.status === "timeout" || e.status === "not-started" ? 1 : 0),
    0,
  );
  const failures = all.reduce(
    (n, e) =>
      n + e.stages.reduce((m, s) => m + s.tests.filter((t) => t.status === "failed").length, 0),
    0,
  );
  const errors = all.filter((e) => e.status === "error" || e.status === "timeout").length;
  const skipped = all.filter((e) => e.status === "not-started").length;
  const time = seconds(all.reduce((n, e) => n + e.durationMs, 0));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sandbox grade" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n${suites.join("\n")}\n</testsuites>\n`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
