import { readFileSync } from "node:fs";
import {
  totals,
  type ExerciseResult,
  type GradeReport,
  type GradingMode,
} from "../score/grade-result";
import { UsageError } from "../terminal/usage-error";

/** Builds the versioned report every other format is written from (schema in docs/grading.md). */
export function buildReport(
  exercises: ExerciseResult[],
  mode: GradingMode,
  shard?: { index: number; count: number },
): GradeReport {
  return {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    mode,
    ...(shard ? { shard } : {}),
    ...totals(exercises),
    exercises,
  };
}

export function jsonReport(report: GradeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function readReport(file: string): GradeReport {
  let parsed: Partial<GradeReport>;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<GradeReport>;
  } catch (error) {
    throw new UsageError(`${file}: not a JSON report (${(error as Error).message})`);
  }
  if (parsed.schemaVersion !== 1)
    throw new UsageError(`${file}: schemaVersion ${String(parsed.schemaVersion)} is not 1`);
  if (!Array.isArray(parsed.exercises))
    throw new UsageError(`${file}: field "exercises" is missing`);
  return parsed as GradeReport;
}

/** Joins the reports of `--shard 1/N` ... `--shard N/N` into the report one unsharded run gives. */
export function mergeReports(reports: readonly GradeReport[]): GradeReport {
  if (reports.length === 0) throw new UsageError("merge needs at least one report");
  const modes = new Set(reports.map((r) => r.mode));
  if (modes.size > 1)
    throw new UsageError(`cannot merge reports of different modes: ${[...modes].join(", ")}`);
  const seen = new Set<string>();
  const exercises = reports.flatMap((r) => r.exercises);
  for (const exercise of exercises) {
    if (seen.has(exercise.slug))
      throw new UsageError(`exercise "${exercise.slug}" is in more than one report`);
    seen.add(exercise.slug);
  }
  exercises.sort((a, b) => a.slug.localeCompare(b.slug));
  return buildReport(exercises, reports[0]!.mode);
}
