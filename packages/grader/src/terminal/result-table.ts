import { plainText } from "../reports/escape-markup";
import { percent, type GradeReport } from "../score/grade-result";

/** The table `sandbox grade` ends with: exercise, stage, passed / total, score. */
export function resultTable(report: GradeReport): string {
  const rows: string[][] = [["exercise", "stage", "passed / total", "score"]];
  for (const exercise of report.exercises) {
    // Its tests did not run (src/ as shipped): one row, no stage counts to show.
    if (exercise.status === "not-started") {
      const stages = exercise.stages.length;
      rows.push([
        `${exercise.slug} (not started${exercise.stage ? ", one stage" : ""})`,
        stages === 1 ? exercise.stages[0]!.id : `all ${stages} stages`,
        "-",
        `${exercise.score} / ${exercise.maxScore}`,
      ]);
      continue;
    }
    const note =
      (exercise.stage ? " (one stage)" : "") +
      (exercise.status === "passed" || exercise.status === "failed" ? "" : ` (${exercise.status})`);
    exercise.stages.forEach((stage, i) => {
      rows.push([
        i === 0 ? `${exercise.slug}${note}` : "",
        stage.id,
        `${stage.passed} / ${stage.total}`,
        `${stage.score} / ${stage.points}`,
      ]);
    });
    // A reason may quote the submission: no escape sequence of its own reaches the terminal.
    if (exercise.reason)
      rows.push(["", `  ${plainText(exercise.reason).replace(/\s+/g, " ")}`, "", ""]);
  }
  rows.push([
    "total",
    "",
    "",
    `${report.score} / ${report.maxScore} (${percent(report.score, report.maxScore)}%)`,
  ]);
  const widths = [0, 1, 2, 3].map((c) =>
    Math.max(...rows.filter((r) => !r[1]!.startsWith("  ")).map((r) => r[c]!.length)),
  );
  const line = (cells: string[]) =>
    cells[1]!.startsWith("  ")
      ? `${"".padEnd(widths[0]!)}  ${cells[1]}`
      : cells
          .map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
          .join("  ")
          .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1, -1).map(line),
    rule,
    line(rows[rows.length - 1]!),
  ].join("\n");
}
