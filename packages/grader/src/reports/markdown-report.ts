import { percent, type GradeReport } from "../score/grade-result";
import { escapeMarkdown as md, fencedCode } from "./escape-markup";

/** GitHub's step summary takes up to 1 MiB; stay well under it so the summary is never dropped. */
const MAX_LENGTH = 900_000;
const ICON = {
  passed: "✅",
  failed: "❌",
  error: "⚠️",
  timeout: "⏱️",
  "not-started": "⬜",
} as const;

/** A Markdown summary that reads well in `$GITHUB_STEP_SUMMARY` and in a pull request comment. */
export function markdownReport(report: GradeReport): string {
  const lines = [
    `## Grade: ${report.score} / ${report.maxScore} (${percent(report.score, report.maxScore)}%)`,
    "",
    "| exercise | status | score |",
    "| --- | --- | ---: |",
    ...report.exercises.map(
      (e) =>
        `| ${md(e.title)} (\`${e.slug}\`) | ${ICON[e.status]} ${e.status}${e.reason ? `: ${md(e.reason)}` : ""} | ${e.score} / ${e.maxScore} |`,
    ),
    "",
  ];
  for (const exercise of report.exercises) {
    lines.push(
      `### ${md(exercise.title)}`,
      "",
      "| stage | tests passed | score |",
      "| --- | ---: | ---: |",
    );
    for (const stage of exercise.stages)
      lines.push(
        `| ${md(stage.title)} (\`${stage.id}\`) | ${stage.passed} / ${stage.total} | ${stage.score} / ${stage.points} |`,
      );
    lines.push("");
    const failures = exercise.stages.flatMap((stage) =>
      stage.tests.filter((t) => t.status === "failed").map((test) => ({ stage, test })),
    );
    if (failures.length > 0) {
      lines.push(
        `<details><summary>${failures.length} failing test${failures.length === 1 ? "" : "s"}</summary>`,
        "",
      );
      for (const { stage, test } of failures) {
        lines.push(
          `**${md(stage.id)} › ${md(test.name)}**${test.visibility === "hidden" ? " (hidden)" : ""}`,
          "",
          fencedCode(test.message ?? ""),
          "",
        );
      }
      lines.push("</details>", "");
    }
  }
  const text = lines.join("\n");
  return text.length > MAX_LENGTH
    ? `${text.slice(0, MAX_LENGTH)}\n\n… (summary cut; see the JSON report)\n`
    : text;
}
