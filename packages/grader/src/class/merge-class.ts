import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { resolveExercises, shardOf } from "../exercise/catalog";
import type { Places } from "../repo-paths";
import { UsageError } from "../terminal/usage-error";
import {
  readClassSettings,
  writeClassOutputs,
  writeClassSettings,
  type ClassSettings,
} from "./class-outputs";
import { studentFile } from "./student-result";

/** Fields every shard of one class must share; they differ only in `shard`. */
const SHARED: [string, (s: ClassSettings) => string | undefined][] = [
  ["roster", (s) => s.roster.sha256],
  ["assignment", (s) => s.assignment],
  ["deadline", (s) => s.deadline],
  ["exercises", (s) => s.exercises.join(",")],
  ["grader version", (s) => s.graderVersion],
];

/**
 * `sandbox merge DIR1 DIR2 ... --out DIR`: the folders of `grade-class --shard 1/N` ... `N/N`
 * joined into one class folder whose grades.csv and summary.html are those of one full run: every
 * shard's student results are copied, and the outputs written again in roster order. Refuses
 * folders of different rosters, deadlines, exercises or grader versions, and a missing or repeated
 * shard. Returns the number of students with a grade.
 */
export async function mergeClassFolders(
  places: Places,
  dirs: readonly string[],
  out: string | undefined,
  progress: (line: string) => void,
): Promise<number> {
  if (!out) throw new UsageError("merging class folders needs --out <dir>");
  const outDir = path.resolve(out);
  if (dirs.some((dir) => path.resolve(dir) === outDir))
    throw new UsageError(`--out ${out} is one of the folders merged; name a new one`);
  const shards = dirs.map((dir) => ({ dir, settings: readClassSettings(dir) }));
  const first = shards[0]!;
  for (const { dir, settings } of shards.slice(1))
    for (const [field, of] of SHARED)
      if (of(settings) !== of(first.settings))
        throw new UsageError(
          `${dir} and ${first.dir} differ in their ${field}: not shards of one class`,
        );
  const count = first.settings.shard?.count ?? 0;
  const indexes = new Set<number>();
  for (const { dir, settings } of shards) {
    if (!settings.shard || settings.shard.count !== count)
      throw new UsageError(
        `${dir} is ${settings.shard ? `shard ${settings.shard.index}/${settings.shard.count}` : "no shard"}, ${first.dir} ${count ? `shard ${first.settings.shard!.index}/${count}` : "no shard"}: merge joins the folders of grade-class --shard 1/N to N/N`,
      );
    if (indexes.has(settings.shard.index))
      throw new UsageError(`shard ${settings.shard.index}/${count} is given twice (${dir})`);
    indexes.add(settings.shard.index);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indexes.has(i));
  if (missing.length > 0)
    throw new UsageError(
      `shard ${missing.map((i) => `${i}/${count}`).join(", ")} is missing: merge wants all ${count} shards`,
    );

  mkdirSync(path.join(outDir, "students"), { recursive: true });
  const roster = first.settings.roster.students;
  for (const { dir, settings } of shards)
    for (const student of shardOf(roster, settings.shard)) {
      const from = studentFile(path.resolve(dir), student.studentId);
      if (existsSync(from)) copyFileSync(from, studentFile(outDir, student.studentId));
      else progress(`${dir}: no result for ${student.studentId}; shown as error`);
    }
  const { shard: _shard, ...whole } = first.settings;
  void _shard;
  writeClassSettings(outDir, whole);
  const exercises = resolveExercises(places.exercisesDir, whole.exercises);
  const results = await writeClassOutputs(outDir, whole, exercises, roster);
  const graded = results.filter((r) => r.status === "graded").length;
  progress(
    `merged ${count} shards: ${graded} of ${results.length} students graded; wrote ${path.join(outDir, "grades.csv")} and ${path.join(outDir, "summary.html")}`,
  );
  return graded;
}
