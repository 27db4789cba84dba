import { existsSync } from "node:fs";
import path from "node:path";
import type { Exercise } from "../exercise/manifest";
import {
  exerciseAt,
  parseShard,
  resolveExercises,
  resolveStage,
  shardOf,
  stagePosition,
} from "../exercise/catalog";
import { percent, type ExerciseResult, type GradingMode } from "../score/grade-result";
import { GradingSession } from "../run/grading-session";
import { rememberPassedStages, saveLastGrades } from "../exercise/learner-state";
import { notStartedResult, onlyStage } from "../score/score";
import { isShippedStub } from "../exercise/stub-digest";
import { createProgress } from "../terminal/progress";
import type { Places } from "../repo-paths";
import { buildReport } from "../reports/json-report";
import { writeReports, type ReportFiles } from "../reports/write-reports";
import { failureList } from "../terminal/failure-list";
import { resultTable } from "../terminal/result-table";
import { checkSubmissionDir, type SourceChoice } from "../run/source-dir";
import { UsageError } from "../terminal/usage-error";
import { parseNumber } from "../terminal/parse-number";
import { onInterrupt } from "../run/interrupt";
import { jestWorkersPerGrading, parseJobs } from "../run/jobs";
import pLimit from "p-limit";
import {
  attachWarmServices,
  sharedServicesEnv,
  warmServicesWanted,
  type StartedServices,
} from "@backend-sandbox/testkit/runner";

export interface GradeOptions extends ReportFiles {
  solution?: boolean;
  submission?: string;
  hiddenDir?: string;
  minScore?: string;
  timeout?: string;
  shard?: string;
  quiet?: boolean;
  /** The code under test runs sealed (always with --submission). */
  sealed?: boolean;
  /** Grade this stage of the one exercise alone (visible and hidden tests). */
  stage?: string;
  /** Exercises graded at once (default: defaultJobs() of run/jobs.ts). */
  jobs?: string;
}

/** Exit code when the trusted checkout changed during grading (docs/grading.md, "Scoring"). */
export const EXIT_CHECKOUT_CHANGED = 3;

/** `sandbox grade [slug...]`: visible + hidden tests, a score per stage; returns the exit code. */
export async function gradeCommand(
  places: Places,
  slugs: string[],
  options: GradeOptions,
): Promise<number> {
  if (options.solution && options.submission)
    throw new UsageError("--solution and --submission exclude each other");
  const minScore =
    options.minScore === undefined
      ? undefined
      : parseNumber("--min-score", options.minScore, 0, 100);
  const timeoutSeconds =
    options.timeout === undefined ? undefined : parseNumber("--timeout", options.timeout, 1, 3600);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const hiddenRoot = options.hiddenDir === undefined ? undefined : path.resolve(options.hiddenDir);
  if (hiddenRoot && !existsSync(hiddenRoot))
    throw new UsageError(`--hidden-dir ${options.hiddenDir}: no such folder`);
  const source: SourceChoice = options.submission
    ? { kind: "submission", dir: checkSubmissionDir(options.submission) }
    : options.solution
      ? { kind: "solution" }
      : { kind: "learner" };
  const mode: GradingMode = source.kind;

  const here = slugs.length === 0 ? exerciseAt(places.exercisesDir, process.cwd()) : undefined;
  const exercises = shardOf(resolveExercises(places.exercisesDir, here ? [here] : slugs), shard);
  if (options.stage !== undefined && exercises.length !== 1)
    throw new UsageError(
      "--stage grades one stage of one exercise: name the exercise, or run grade inside its folder",
    );
  const stage =
    options.stage === undefined ? undefined : resolveStage(exercises[0]!, options.stage);

  const sealed = Boolean(options.sealed) || source.kind === "submission";
  const atDesk = source.kind === "learner" && !process.env.CI && !sealed;
  // At the desk, a src/ still as shipped is not run: its 0 against the exercise's own hidden tests
  // is known (verify proves a stub's), and a fresh clone's first grade reads at once instead of
  // after every stub's tests ran. Other hidden tests (--hidden-dir) were proved nothing against.
  const notStarted = new Set(
    atDesk && hiddenRoot === undefined ? exercises.filter(isShippedStub) : [],
  );
  const toGrade = exercises.filter((exercise) => !notStarted.has(exercise));
  const usesServices = toGrade.some((exercise) => exercise.manifest.services.length > 0);
  const warm = usesServices ? await learnersWarmServices(source, sealed) : undefined;
  // Side by side only where one grading cannot disturb another or blur which one changed the
  // checkout: sealed runs, the reference solutions, a learner's own code at their desk.
  const sideBySide = sealed || source.kind === "solution" || atDesk;
  const jobs = Math.max(
    1,
    Math.min(
      options.jobs !== undefined || sideBySide ? parseJobs(options.jobs) : 1,
      toGrade.length,
    ),
  );
  const controller = new AbortController();
  const session = new GradingSession({
    places,
    hiddenRoot,
    timeoutSeconds,
    signal: controller.signal,
    checkCheckout: true,
    sealed,
    jestWorkers: jestWorkersPerGrading(jobs),
    env: warm && { ...process.env, ...sharedServicesEnv(warm.services) },
  });
  const stopListening = onInterrupt(async () => {
    controller.abort();
    await session.close();
    await warm?.dispose();
  });
  // Side by side, progress comes in plain lines: one spinner cannot follow several gradings.
  const progress = createProgress(process.stderr, options.quiet, jobs > 1);
  const queue = pLimit(jobs);
  const results: ExerciseResult[] = [];
  try {
    const graded = exercises.map((exercise) =>
      notStarted.has(exercise)
        ? Promise.resolve(
            stage ? onlyStage(notStartedResult(exercise), stage) : notStartedResult(exercise),
          )
        : queue(async () => {
            if (controller.signal.aborted) return undefined; // Ctrl-C: drain, start nothing new
            progress.start(exercise.slug, toGrade.indexOf(exercise) + 1, toGrade.length);
            const whole = await session.grade(exercise, source, stage ? [stage] : undefined);
            const result = stage ? onlyStage(whole, stage) : whole;
            progress.finish(result);
            return result;
          }),
    );
    for (const result of await Promise.all(graded)) if (result) results.push(result);
  } finally {
    stopListening();
    await session.close();
    await warm?.dispose();
  }

  const report = buildReport(results, mode, shard);
  if (stage && notStarted.size === 0)
    process.stdout.write(`\n${oneStageLine(exercises[0]!, stage)}`);
  process.stdout.write(`\n${resultTable(report)}\n`);
  const failures = options.quiet ? "" : failureList(report);
  if (failures) process.stdout.write(`\n${failures}\n`);
  if (notStarted.size > 0) process.stdout.write(`\n${notStartedLine([...notStarted])}\n`);
  for (const file of writeReports(report, options)) progress.note(`wrote ${file}`);
  if (source.kind === "learner") {
    // A one-stage grade is no grade of the exercise: `sandbox list` keeps showing the last whole one.
    if (!stage) saveLastGrades(places.stateDir, results);
    rememberPassedStages(places.stateDir, results);
  }
  if (session.stopped) {
    process.stderr.write(`${session.stopped}\n`);
    return EXIT_CHECKOUT_CHANGED;
  }
  if (minScore !== undefined && percent(report.score, report.maxScore) < minScore) {
    process.stderr.write(
      `score ${percent(report.score, report.maxScore)}% is below --min-score ${minScore}%\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * A learner grading their own src/ at their desk attaches to the warm services of their loop
 * (docs/services.md): the grade skips starting Redis and Postgres (2-3 s with Docker). Sealed
 * grading and solutions keep services of their own, and so do CI and services handed down
 * (warmServicesWanted).
 */
async function learnersWarmServices(
  source: SourceChoice,
  sealed: boolean,
): Promise<StartedServices | undefined> {
  if (sealed || source.kind !== "learner") return undefined;
  return warmServicesWanted(process.env) ? attachWarmServices(process.env) : undefined;
}

/** Names the exercises not started, and how to begin the first. */
function notStartedLine(exercises: Exercise[]): string {
  const first = exercises[0]!;
  return (
    `Not started (src/ as shipped, so their tests did not run): ${exercises.map((e) => e.slug).join(", ")}. ` +
    `Begin with \`npx sandbox test ${first.slug}\`: the visible tests of its first stage, ${first.manifest.stages[0]!.id}.\n`
  );
}

/** Says that the table is one stage's, and how to grade them all. */
function oneStageLine(exercise: Exercise, stage: string): string {
  return `One stage only: ${exercise.slug} › ${stage} (${stagePosition(exercise, stage)}), its visible and hidden tests; \`sandbox grade ${exercise.slug}\` grades every stage.\n`;
}
