import type { GradeReport } from "../score/grade-result";
import { plainText } from "./escape-markup";

/**
 * Gradescope's autograder `results.json`
 * (https://gradescope-autograders.readthedocs.io/en/latest/specs/): one test entry per stage,
 * worth the stage's points, with the failing tests listed in its output. Hidden tests' messages are
 * already reduced to the expected behaviour, so every entry can be visible. Every output and name
 * is declared `text` (Gradescope's default, `simple_format`, renders some HTML) and carries no
 * control characters: nothing a submission prints is rendered as markup.
 */
export interface GradescopeResults {
  score: number;
  max_score: number;
  output: string;
  output_format: "text";
  test_output_format: "text";
  test_name_format: "text";
  visibility: "visible";
  stdout_visibility: "hidden";
  tests: {
    name: string;
    number: string;
    score: number;
    max_score: number;
    status: "passed" | "failed";
    visibility: "visible" | "after_published";
    output: string;
  }[];
}

export function gradescopeReport(report: GradeReport): string {
  const results: GradescopeResults = {
    score: report.score,
    max_score: report.maxScore,
    output: plainText(
      report.exercises
        .map(
          (e) =>
            `${e.title}: ${e.status}, ${e.score}/${e.maxScore}${e.reason ? ` (${e.reason})` : ""}`,
        )
        .join("\n"),
    ),
    output_format: "text",
    test_output_format: "text",
    test_name_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: report.exercises.flatMap((exercise, i) =>
      exercise.stages.map((stage, j) => ({
        name: `${exercise.title} › ${stage.title}`,
        number: `${i + 1}.${j + 1}`,
        score: stage.score,
        max_score: stage.points,
        status:
          stage.total > 0 && stage.passed === stage.total
            ? ("passed" as const)
            : ("failed" as const),
        visibility: "visible" as const,
        output: plainText(stageOutput(exercise.reason, stage)),
      })),
    ),
  };
  return `${JSON.stringify(results, null, 2)}\n`;
}

function stageOutput(
  reason: string | undefined,
  stage: GradeReport["exercises"][number]["stages"][number],
): string {
  if (reason) return `Not graded: ${reason}`;
  const failing = stage.tests.filter((t) => t.status === "failed");
  const head = `${stage.passed} of ${stage.total} tests passed`;
  return failing.length === 0
    ? head
    : [
        head,
        ...failing.map(
          (t) => `\n✗ ${t.name}${t.visibility === "hidden" ? " (hidden)" : ""}\n${t.message ?? ""}`,
        ),
      ].join("\n");
}
