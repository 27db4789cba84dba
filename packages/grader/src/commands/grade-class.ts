import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import { parseShard, resolveExercises, shardOf } from "../exercise/catalog";
import type { Places } from "../repo-paths";
import { GradingSession } from "../run/grading-session";
import { onInterrupt } from "../run/interrupt";
import { jestWorkersPerGrading, parseJobs } from "../run/jobs";
import { parseNumber } from "../terminal/parse-number";
import { resultLine } from "../terminal/progress";
import { UsageError } from "../terminal/usage-error";
import { ClassProgress } from "../class/class-progress";
import {
  rosterDigest,
  writeClassOutputs,
  writeClassSettings,
  type ClassSettings,
} from "../class/class-outputs";
import { gradeRoster, rosterDirOf } from "../class/grade-roster";
import { graderVersion } from "../class/grader-version";
import { readRoster } from "../class/roster";
import { EXIT_CHECKOUT_CHANGED } from "./grade";

export interface GradeClassOptions {
  out?: string;
  deadline?: string;
  exercises?: string;
  jobs?: string;
  shard?: string;
  regrade?: boolean;
  hiddenDir?: string;
  timeout?: string;
  assignment?: string;
}

/** Exit code when a reference solution did not score the maximum: the machine is broken, not the class. */
export const EXIT_CANARY_FAILED = 4;

/**
 * `sandbox grade-class ROSTER.csv --out DIR`: every student's repository at the deadline, graded
 * sealed after a canary run of the reference solutions; resumable (docs/grading.md, "Grading a
 * class"). Returns the exit code: 0 the run finished (students in `error` included), 2 bad input,
 * 3 the trusted checkout changed, 4 the canary failed.
 */
export async function gradeClassCommand(
  places: Places,
  rosterFile: string,
  options: GradeClassOptions,
): Promise<number> {
  const started = Date.now();
  if (!options.out) throw new UsageError("grade-class needs --out <dir>, the class's folder");
  const deadline = options.deadline === undefined ? undefined : parseDeadline(options.deadline);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const jobs = parseJobs(options.jobs);
  const timeoutSeconds =
    options.timeout === undefined ? undefined : parseNumber("--timeout", options.timeout, 1, 3600);
  const hiddenRoot = options.hiddenDir === undefined ? undefined : path.resolve(options.hiddenDir);
  if (hiddenRoot && !existsSync(hiddenRoot))
    throw new UsageError(`--hidden-dir ${options.hiddenDir}: no such folder`);
  const slugs = (options.exercises ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const exercises = resolveExercises(places.exercisesDir, slugs);
  const roster = readRoster(rosterFile);
  const students = shardOf(roster, shard);
  const outDir = path.resolve(options.out);

  const controller = new AbortController();
  const session = new GradingSession({
    places,
    hiddenRoot,
    timeoutSeconds,
    signal: controller.signal,
    checkCheckout: true,
    sealed: true,
    jestWorkers: jestWorkersPerGrading(jobs),
  });
  const settings: ClassSettings = {
    schemaVersion: 1,
    assignment: options.assignment ?? path.basename(rosterFile).replace(/\.csv$/i, ""),
    ...(deadline ? { deadline: deadline.toISOString() } : {}),
    exercises: exercises.map((e) => e.slug),
    graderVersion: graderVersion(places.repoRoot, exercises, (e) => session.hiddenDirOf(e)),
    roster: { file: path.basename(rosterFile), sha256: rosterDigest(rosterFile), students: roster },
    ...(shard ? { shard } : {}),
  };
  const progress = new ClassProgress(students.length);
  progress.note(
    `grade-class: ${students.length} students${shard ? ` (shard ${shard.index}/${shard.count} of ${roster.length})` : ""}, exercises ${settings.exercises.join(", ")}, ${deadline ? `deadline ${settings.deadline}` : "no deadline (newest commits)"}, ${jobs} at once, grader ${settings.graderVersion}`,
  );

  const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-class-"));
  const stopListening = onInterrupt(async () => {
    controller.abort();
    await session.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  try {
    // The canary: the reference solutions must score the maximum on this machine, or no student
    // is graded by it.
    progress.note("canary: grading the reference solutions first...");
    const gradings = pLimit(jobs);
    const canary = await Promise.all(
      exercises.map((e) => gradings(() => session.grade(e, { kind: "solution" }))),
    );
    for (const result of canary) progress.canary(result);
    const broken = canary.filter((r) => r.status !== "passed" || r.score !== r.maxScore);
    if (session.stopped) {
      process.stderr.write(`${session.stopped}; nobody was graded\n`);
      return EXIT_CHECKOUT_CHANGED;
    }
    if (broken.length > 0) {
      process.stderr.write(
        `grade-class stopped before grading anyone: the reference solution of ${broken.map((r) => resultLine(r)).join("; ")} did not score the maximum on this machine. The machine or the checkout is broken, not the students' work; nothing was recorded. Run \`sandbox doctor\` and \`sandbox verify ${broken.map((r) => r.slug).join(" ")}\`.\n`,
      );
      return EXIT_CANARY_FAILED;
    }
    mkdirSync(path.join(outDir, "students"), { recursive: true });
    writeClassSettings(outDir, settings);
    const tally = await gradeRoster({
      session,
      signal: controller.signal,
      exercises,
      students,
      rosterDir: rosterDirOf(rosterFile),
      outDir,
      scratch,
      deadline,
      graderVersion: settings.graderVersion,
      jobs,
      regrade: Boolean(options.regrade),
      progress,
    });
    if (session.stopped) {
      process.stderr.write(`${session.stopped}; the students graded since were not recorded\n`);
      return EXIT_CHECKOUT_CHANGED;
    }
    const results = await writeClassOutputs(outDir, settings, exercises, students);
    const graded = results.filter((r) => r.status === "graded" && r.report);
    const mean = graded.length
      ? graded.reduce((sum, r) => sum + r.report!.score, 0) / graded.length
      : 0;
    const maxScore = exercises.reduce(
      (n, e) => n + e.manifest.stages.reduce((m, s) => m + s.points, 0),
      0,
    );
    progress.note(
      [
        `\ngrade-class done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tally.graded} graded now, ${tally.kept} kept from before, ${tally.errors} in error${tally.unrecorded ? `, ${tally.unrecorded} not recorded (disk?)` : ""}.`,
        `${graded.length} of ${results.length} students have a grade, mean ${mean.toFixed(1)} / ${maxScore}.`,
        ...(results.length > graded.length
          ? [
              `Not graded (no points given; run again to retry): ${results
                .filter((r) => r.status !== "graded")
                .map((r) => r.studentId)
                .join(", ")}.`,
            ]
          : []),
        `wrote ${path.join(outDir, "grades.csv")}, ${path.join(outDir, "summary.html")} and ${path.join(outDir, "students")}/`,
      ].join("\n"),
    );
    return 0;
  } finally {
    stopListening();
    await session.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `--deadline`: an ISO 8601 date and time with its zone (`2026-12-01T23:59:00Z`,
 * `2026-12-01T23:59:00+01:00`); without a zone it would mean a different moment on each runner.
 */
export function parseDeadline(value: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
  const time = Date.parse(value);
  if (!iso.test(value.trim()) || Number.isNaN(time))
    throw new UsageError(
      `--deadline wants an ISO 8601 date and time with its zone, e.g. 2026-12-01T23:59:00Z; got "${value}"`,
    );
  return new Date(time);
}
