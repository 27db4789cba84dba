import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import { catalogChecks, exerciseSlugs } from "../exercise/catalog";
import { suggestion } from "../terminal/closest-names";
import type { ExerciseResult } from "../score/grade-result";
import {
  everyRun,
  solutionMustPass,
  stubMustFail,
  wrongSolutionCaught,
} from "../score/verify-checks";
import type { Exercise } from "../exercise/manifest";
import { GradingSession } from "../run/grading-session";
import { onInterrupt } from "../run/interrupt";
import { createProgress } from "../terminal/progress";
import type { Places } from "../repo-paths";
import { structureChecks, type Check } from "../exercise/structure-checks";
import { UsageError } from "../terminal/usage-error";
import { readWrongSolution, wrongSolutionBugs } from "../exercise/wrong-solution-patch";
import { parseNumber } from "../terminal/parse-number";
import { changedExercises } from "../exercise/changed-exercises";
import { bailsAtFirstFailure, type SourceChoice } from "../run/source-dir";
import { jestWorkersPerGrading, parseBatch, parseJestWorkers, parseJobs } from "../run/jobs";
import { GradingCost, type GradingKind } from "../score/grading-cost";

export interface VerifyOptions {
  timeout?: string;
  repeat?: string;
  /** Only the checks that grade nothing (structure, rule trace). */
  static?: boolean;
  /** Comma-separated wrong solutions: grade only these, of the one exercise named. */
  wrongSolution?: string;
  /** Grade wrong solutions on every stage's hidden tests, not only those their patch declares. */
  allStages?: boolean;
  /** The code under test runs sealed, as grading a submission does. */
  sealed?: boolean;
  /** Only the exercises changed since this git ref (`true`: main). */
  changed?: string | boolean;
  /** How many gradings run at once (default: defaultJobs() of run/jobs.ts). */
  jobs?: string;
  /** Jest workers of each grading (default: jestWorkersPerGrading() of run/jobs.ts). */
  jestWorkers?: string;
  /** Wrong solutions per Jest process (default: DEFAULT_BATCH of run/jobs.ts). */
  batch?: string;
}

/** What one `verify` does, read from its arguments once. */
interface VerifyPlan {
  slugs: string[];
  timeoutSeconds?: number;
  repeat: number;
  static: boolean;
  /** Every stage's hidden tests for wrong solutions, whatever their `Stages:` line says. */
  allStages: boolean;
  /** The code under test runs sealed (`--sealed`). */
  sealed: boolean;
  /** Wrong solutions graded in one Jest process (GradingSession.gradeBatch). */
  batch: number;
  /** `--wrong-solution`: only these wrong solutions, no solution or stub runs. */
  onlyBugs?: string[];
  /** Gradings at once. */
  jobs: number;
  /** Jest workers of each grading. */
  jestWorkers: number;
}

/** What every exercise's steps share: the session, the tally, the queue of gradings. */
interface VerifyRun {
  plan: VerifyPlan;
  session: GradingSession;
  tally: Tally;
  progress: ReturnType<typeof createProgress>;
  signal: AbortSignal;
  /** Runs a grading when one of the `jobs` slots is free, in the order asked. */
  queue: pLimit.Limit;
  /** The grading time of each exercise, printed with its checks and written to verify.json. */
  cost: GradingCost;
}

/**
 * `sandbox verify [slug...]` for maintainers: the structure checks and the rule trace, then the
 * reference solution must score the maximum, the stub 0 with every test (hidden ones above all)
 * failing, and every `.meta/wrong-solutions/<bug>.patch`, applied to the solution, must score
 * below the maximum. Exit 1 if anything does not hold.
 * `--repeat n` grades the solution n times in a row: a test that fails once in n is flaky, and
 * EXERCISES.md asks every suite to pass 20 runs in a row.
 */
export async function verifyCommand(
  places: Places,
  slugs: string[],
  options: VerifyOptions,
): Promise<number> {
  const plan = readPlan(places, slugs, options);
  const controller = new AbortController();
  const session = new GradingSession({
    places,
    timeoutSeconds: plan.timeoutSeconds,
    signal: controller.signal,
    sealed: plan.sealed,
    jestWorkers: plan.jestWorkers,
  });
  const stopListening = onInterrupt(async () => {
    controller.abort();
    await session.close();
  });
  const run: VerifyRun = {
    plan,
    session,
    tally: new Tally(),
    // Side by side, gradings report in plain lines: one spinner cannot follow several.
    progress: createProgress(process.stderr, false, plan.jobs > 1),
    signal: controller.signal,
    queue: pLimit(plan.jobs),
    cost: new GradingCost(),
  };
  const started = performance.now();
  try {
    out("\ncatalog");
    run.tally.add("catalog", catalogChecks(places.exercisesDir), out);
    if (plan.jobs > 1 && !plan.static) out(`grading ${plan.jobs} at a time (--jobs)`);
    // Two passes over the exercises: every solution and stub is queued before any wrong solution.
    // They are the longest gradings (20-90 s, against seconds for a batch), and one queued last
    // would run alone at the end with the cores idle (longest first shortens the whole).
    const queued = plan.slugs.map((slug) =>
      queueSolutionAndStub(path.join(places.exercisesDir, slug), run),
    );
    for (const exercise of queued) queueWrongSolutions(exercise, run);
    // Each exercise prints its block when its gradings are back, in the order named.
    const printed = inOrder(queued.length);
    await Promise.all(
      queued.map(async (exercise, i) => printed(i, await checkedLines(exercise, run))),
    );
  } finally {
    stopListening();
    await session.close();
  }
  const cost = run.cost.summary(plan.jobs, (performance.now() - started) / 1000);
  if (cost) out(`\n${cost}`);
  return run.tally.finish(run.cost);
}

function readPlan(places: Places, slugs: string[], options: VerifyOptions): VerifyPlan {
  const timeoutSeconds =
    options.timeout === undefined ? undefined : parseNumber("--timeout", options.timeout, 1, 3600);
  const repeat =
    options.repeat === undefined ? 1 : parseNumber("--repeat", options.repeat, 1, 1000);
  if (!Number.isInteger(repeat))
    throw new UsageError(`--repeat wants a whole number of runs; got "${options.repeat}"`);
  const known = exerciseSlugs(places.exercisesDir);
  for (const slug of slugs)
    if (!known.includes(slug))
      throw new UsageError(`unknown exercise "${slug}": ${suggestion(slug, known)}`);
  let chosen = slugs.length > 0 ? slugs : known;
  if (options.changed !== undefined && options.changed !== false) {
    if (slugs.length > 0)
      throw new UsageError("--changed chooses the exercises itself; name none with it");
    const base = options.changed === true ? "main" : options.changed;
    const changed = changedExercises(places.exercisesDir, known, base);
    out(`verify --changed ${changed.summary}`);
    chosen = changed.slugs;
  }
  const jobs = parseJobs(options.jobs);
  return {
    jobs,
    jestWorkers:
      options.jestWorkers === undefined
        ? jestWorkersPerGrading(jobs)
        : parseJestWorkers(options.jestWorkers),
    slugs: chosen,
    timeoutSeconds,
    repeat,
    static: options.static === true,
    allStages: options.allStages === true,
    sealed: options.sealed === true,
    batch: parseBatch(options.batch),
    onlyBugs: chosenWrongSolutions(places, slugs, options.wrongSolution),
  };
}

/** One exercise's gradings, as queued by the two passes. */
interface QueuedExercise {
  dir: string;
  slug: string;
  /** Its block of output lines, from its structure checks on. */
  lines: string[];
  /** Undefined when nothing of it is graded: `--static`, or a structure too broken to grade. */
  exercise?: Exercise;
  solutions: Promise<ExerciseResult | undefined>[];
  stub?: Promise<ExerciseResult | undefined>;
  bugs: string[];
  wrongs: Promise<ExerciseResult | undefined>[];
}

/**
 * The first pass over one exercise: its structure checks, then its solution's runs and its stub
 * queued (none with `--wrong-solution`).
 */
function queueSolutionAndStub(dir: string, run: VerifyRun): QueuedExercise {
  const slug = path.basename(dir);
  const lines = [`\n${slug}`];
  const structure = structureChecks(dir);
  run.tally.add(slug, structure.checks, (text) => lines.push(text));
  const exercise = run.plan.static ? undefined : structure.exercise;
  const queued: QueuedExercise = {
    dir,
    slug,
    lines,
    exercise,
    solutions: [],
    bugs: [],
    wrongs: [],
  };
  if (!exercise || run.plan.onlyBugs) return queued;
  const { repeat } = run.plan;
  queued.solutions = Array.from({ length: repeat }, (_, n) =>
    graded(run, exercise, { kind: "solution" }, `${slug} (solution)`, [n + 1, repeat]),
  );
  queued.stub = graded(run, exercise, { kind: "learner" }, `${slug} (stub)`);
  return queued;
}

/**
 * The second pass over one exercise: its wrong solutions queued. Graded in batches, a Jest process
 * each (GradingSession.gradeBatch), where they run unsealed and stop at their first failing test;
 * else one by one.
 */
function queueWrongSolutions(queued: QueuedExercise, run: VerifyRun): void {
  const { exercise, dir, slug } = queued;
  if (!exercise) return;
  const { allStages, onlyBugs, sealed, batch } = run.plan;
  const source = (bug: string) => wrongSource(bug, allStages);
  const label = (bug: string) => `${slug} (wrong solution ${bug})`;
  queued.bugs = onlyBugs ?? wrongSolutionBugs(dir);
  queued.wrongs = chunks(queued.bugs, !sealed && !allStages ? batch : 1).flatMap((bugs) => {
    const results =
      bugs.length === 1
        ? graded(run, exercise, source(bugs[0]!), label(bugs[0]!)).then((r) => [r])
        : gradedBatch(run, exercise, bugs.map(source), bugs.map(label));
    return bugs.map((_, i) => results.then((all) => all[i]));
  });
}

/** A wrong solution to grade: on its declared stages, or every stage with `--all-stages`. */
function wrongSource(bug: string, allStages: boolean): SourceChoice {
  return { kind: "wrong-solution", bug, allStages };
}

/**
 * Once one exercise's gradings are back: the checks of its solution, stub and wrong solutions,
 * counted in that order, and its cost line. Resolves to its block of output lines.
 */
async function checkedLines(queued: QueuedExercise, run: VerifyRun): Promise<string[]> {
  const { exercise, dir, slug, lines, bugs } = queued;
  if (!exercise) return lines;
  const log = (text: string) => lines.push(text);
  const { repeat, allStages, onlyBugs } = run.plan;
  if (!onlyBugs) {
    const results = (await Promise.all(queued.solutions)).filter((r) => r !== undefined);
    if (repeat > 1) {
      const atMaximum = results.filter((r) => r.status !== "error" && r.score === r.maxScore);
      log(
        `  ${atMaximum.length === repeat ? "✓" : "✗"} ${atMaximum.length} of ${repeat} solution runs scored the maximum`,
      );
    }
    run.tally.add(slug, everyRun(results.map(solutionMustPass)), log);
    const stubResult = await queued.stub;
    if (stubResult) run.tally.add(slug, stubMustFail(stubResult), log);
  }
  for (const [i, bug] of bugs.entries()) {
    const wrong = await queued.wrongs[i];
    if (!wrong) continue;
    const declared = allStages ? { stages: [], breaks: [] } : declaredOf(dir, bug);
    const bailed = bailsAtFirstFailure(wrongSource(bug, allStages));
    run.tally.add(slug, [wrongSolutionCaught(bug, wrong, declared, bailed)], log, true);
  }
  const cost = run.cost.line(slug);
  if (cost) log(`  ${cost}`);
  return lines;
}

/** One grading, when the queue has room; undefined if verify was interrupted before it started. */
function graded(
  run: VerifyRun,
  exercise: Exercise,
  source: SourceChoice,
  label: string,
  [position, count] = [1, 1],
): Promise<ExerciseResult | undefined> {
  return run.queue(async () => {
    if (run.signal.aborted) return undefined; // Ctrl-C: the interrupt handler reports and exits
    run.progress.start(label, position, count);
    const result = await run.session.grade(exercise, source);
    run.progress.finish(result, label);
    run.cost.add(exercise.slug, gradingKind(source), result.durationMs);
    return result;
  });
}

/**
 * Several wrong solutions graded in one Jest process, when the queue has room; each undefined if
 * verify was interrupted before the batch started.
 */
function gradedBatch(
  run: VerifyRun,
  exercise: Exercise,
  sources: SourceChoice[],
  labels: string[],
): Promise<(ExerciseResult | undefined)[]> {
  return run.queue(async () => {
    if (run.signal.aborted) return sources.map(() => undefined);
    for (const label of labels) run.progress.start(label, 1, 1);
    const results = await run.session.gradeBatch(exercise, sources);
    for (const [i, result] of results.entries()) {
      run.progress.finish(result, labels[i]!);
      run.cost.add(exercise.slug, gradingKind(sources[i]!), result.durationMs);
    }
    return results;
  });
}

/** `items` in consecutive groups of `size` (the last may be smaller). */
function chunks<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/** Verify grades the solution, the stub (the checkout's `src/`) and wrong solutions. */
function gradingKind(source: SourceChoice): GradingKind {
  if (source.kind === "solution") return "solution";
  return source.kind === "wrong-solution" ? "wrong" : "stub";
}

/** Prints blocks of lines in their order whatever order they finish in: `printed(i, lines)`. */
function inOrder(count: number): (index: number, lines: string[]) => void {
  const waiting = new Map<number, string[]>();
  let next = 0;
  return (index, lines) => {
    waiting.set(index, lines);
    while (next < count && waiting.has(next)) {
      for (const line of waiting.get(next)!) out(line);
      waiting.delete(next++);
    }
  };
}

/**
 * Every check of a verify, printed as it comes and counted; `finish()` prints the totals and,
 * with SANDBOX_RESULTS_DIR, writes them to verify.json with the failures named ("<slug>: <what>:
 * <detail>"), for CI logs that keep only their end.
 */
class Tally {
  private passed = 0;
  private readonly failures: string[] = [];

  add(slug: string, checks: Check[], write: (text: string) => void, always = false): void {
    report(checks, write, always);
    for (const check of checks) {
      if (check.ok) this.passed++;
      else this.failures.push(`${slug}: ${check.what}${check.detail ? `: ${check.detail}` : ""}`);
    }
  }

  finish(cost: GradingCost): number {
    const { passed, failures } = this;
    out(`\nverify: ${passed} checks passed, ${failures.length} failed`);
    const dir = process.env.SANDBOX_RESULTS_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "verify.json"),
        JSON.stringify({ name: "verify", passed, failed: failures.length, failures, cost }),
      );
    }
    return failures.length === 0 ? 0 : 1;
  }
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The wrong solutions `--wrong-solution a,b` names, checked to exist; undefined without it. */
function chosenWrongSolutions(
  places: Places,
  slugs: string[],
  option: string | undefined,
): string[] | undefined {
  if (option === undefined) return undefined;
  if (slugs.length !== 1)
    throw new UsageError(
      "--wrong-solution goes with exactly one exercise: sandbox verify <slug> --wrong-solution <bug>",
    );
  const known = wrongSolutionBugs(path.join(places.exercisesDir, slugs[0]!));
  const bugs = option
    .split(",")
    .map((bug) => bug.trim())
    .filter(Boolean);
  if (bugs.length === 0) throw new UsageError("--wrong-solution wants at least one name");
  for (const bug of bugs)
    if (!known.includes(bug))
      throw new UsageError(
        `unknown wrong solution "${bug}" of ${slugs[0]}: ${suggestion(bug, known)}`,
      );
  return bugs;
}

/**
 * The stages and rules a wrong solution's patch declares (`Stages:`, `Breaks:`); none when it
 * cannot be read (grading says why).
 */
function declaredOf(dir: string, bug: string): { stages: string[]; breaks: string[] } {
  try {
    const { stages, breaks } = readWrongSolution(dir, bug);
    return { stages, breaks };
  } catch {
    return { stages: [], breaks: [] };
  }
}

/** Prints failures one by one and the passes as a count, so a long verify stays readable. */
function report(checks: Check[], out: (text: string) => void, always = false): void {
  for (const check of checks.filter((c) => !c.ok || c.show || always))
    out(`  ${check.ok ? "✓" : "✗"} ${check.what}${check.detail ? `: ${check.detail}` : ""}`);
  const passed = checks.filter((c) => c.ok).length;
  if (!always && passed > 0) out(`  ✓ ${passed} of ${checks.length} checks hold`);
}
