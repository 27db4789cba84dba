import path from "node:path";
import { exerciseSlugs } from "../exercise/catalog";
import { loadExercise, maxScore } from "../exercise/manifest";
import { readLastGrades } from "../exercise/learner-state";
import type { Places } from "../repo-paths";

/** `sandbox list`: one line per exercise, with the last score `sandbox grade` recorded. */
export async function listCommand(places: Places): Promise<number> {
  const last = readLastGrades(places.stateDir);
  const rows = [["exercise", "title", "difficulty", "services", "stages", "last score"]];
  for (const slug of exerciseSlugs(places.exercisesDir)) {
    const { manifest } = loadExercise(path.join(places.exercisesDir, slug));
    const grade = last[slug];
    rows.push([
      slug,
      manifest.title,
      manifest.difficulty,
      manifest.services.join(", ") || "none",
      manifest.stages.map((s) => s.id).join(", "),
      !grade
        ? `- / ${maxScore(manifest)}`
        : grade.status === "not-started"
          ? "not started"
          : `${grade.score} / ${grade.maxScore}`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(
    `${rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n")}\n`,
  );
  return 0;
}
