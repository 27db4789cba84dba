import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
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
}

/** What one `verify` does, read from its arguments once. */
interface VerifyPlan {
  slugs: string[];
  timeoutSeconds?: number;
  repeat: number;
  static: boolean;
  /** Every stage's hidden tests for wrong solutions, whatever their `Stages:` line says. */
  allStages: boolean;
  /** `--wrong-solution`: only these wrong solutions, no solution or stub runs. */
  onlyBugs?: string[];
}

/** What every exercise's steps share: the session, the tally, where to print. */
interface VerifyRun {
  plan: VerifyPlan;
  session: GradingSession;
  tally: Tally;
  progress: ReturnType<typeof createProgress>;
  signal: AbortSignal;
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
    sealed: Boolean(options.sealed),
  });
  const stopListening = onInterrupt(async () => {
    controller.abort();
    await session.close();
  });
  const run: VerifyRun = {
    plan,
    session,
    tally: new Tally(),
    progress: createProgress(),
    signal: controller.signal,
  };
  try {
    out("\ncatalog");
    run.tally.add("catalog", catalogChecks(places.exercisesDir));
    for (const slug of plan.slugs) {
      if (controller.signal.aborted) break; // Ctrl-C: the interrupt handler reports and exits
      await verifyExercise(path.join(places.exercisesDir, slug), run);
    }
  } finally {
    stopListening();
    await session.close();
  }
  return run.tally.finish();
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
  return {
    slugs: chosen,
    timeoutSeconds,
    repeat,
    static: options.static === true,
    allStages: options.allStages === true,
    onlyBugs: chosenWrongSolutions(places, slugs, options.wrongSolution),
  };
}

/** One exercise: structure, then the solution's runs, the stub's, each wrong solution's. */
async function verifyExercise(dir: string, run: VerifyRun): Promise<void> {
  const slug = path.basename(dir);
  out(`\n${slug}`);
  const structure = structureChecks(dir);
  run.tally.add(slug, structure.checks);
  const exercise = structure.exercise;
  if (!exercise || run.plan.static) return;
  if (!run.plan.onlyBugs) {
    await verifySolution(exercise, run);
    await verifyStub(exercise, run);
  }
  for (const bug of run.plan.onlyBugs ?? wrongSolutionBugs(dir)) {
    if (run.signal.aborted) break;
    const label = `${slug} (wrong solution ${bug})`;
    run.progress.start(label, 1, 1);
    const { allStages } = run.plan;
    const wrong = await run.session.grade(exercise, { kind: "wrong-solution", bug, allStages });
    run.progress.finish(wrong, label);
    const declared = allStages ? [] : declaredStages(dir, bug);
    run.tally.add(slug, [wrongSolutionCaught(bug, wrong, declared)], true);
  }
}

/** The solution, `--repeat` times: every test passes and it scores the maximum in every run. */
async function verifySolution(exercise: Exercise, run: VerifyRun): Promise<void> {
  const { repeat } = run.plan;
  const label = `${exercise.slug} (solution)`;
  const results: ExerciseResult[] = [];
  for (let n = 1; n <= repeat && !run.signal.aborted; n++) {
    run.progress.start(label, n, repeat);
    const solution = await run.session.grade(exercise, { kind: "solution" });
    run.progress.finish(solution, label);
    results.push(solution);
  }
  if (repeat > 1) {
    const atMaximum = results.filter((r) => r.status !== "error" && r.score === r.maxScore);
    out(
      `  ${atMaximum.length === repeat ? "✓" : "✗"} ${atMaximum.length} of ${repeat} solution runs scored the maximum`,
    );
  }
  run.tally.add(exercise.slug, everyRun(results.map(solutionMustPass)));
}

/** The stub: graded once, every test fails. */
async function verifyStub(exercise: Exercise, run: VerifyRun): Promise<void> {
  const label = `${exercise.slug} (stub)`;
  run.progress.start(label, 1, 1);
  const stub = await run.session.grade(exercise, { kind: "learner" });
  run.progress.finish(stub, label);
  run.tally.add(exercise.slug, stubMustFail(stub));
}

/**
 * Every check of a verify, printed as it comes and counted; `finish()` prints the totals and,
 * with SANDBOX_RESULTS_DIR, writes them to verify.json with the failures named ("<slug>: <what>:
 * <detail>"), for CI logs that keep only their end.
 */
class Tally {
  private passed = 0;
  private readonly failures: string[] = [];

  add(slug: string, checks: Check[], always = false): void {
    report(checks, out, always);
    for (const check of checks) {
      if (check.ok) this.passed++;
      else this.failures.push(`${slug}: ${check.what}${check.detail ? `: ${check.detail}` : ""}`);
    }
  }

  finish(): number {
    const { passed, failures } = this;
    out(`\nverify: ${passed} checks passed, ${failures.length} failed`);
    const dir = process.env.SANDBOX_RESULTS_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "verify.json"),
        JSON.stringify({ name: "verify", passed, failed: failures.length, failures }),
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

/** The stages a wrong solution's patch declares; none when it cannot be read (grading says why). */
function declaredStages(dir: string, bug: string): string[] {
  try {
    return readWrongSolution(dir, bug).stages;
  } catch {
    return [];
  }
}

/** Prints failures one by one and the passes as a count, so a long verify stays readable. */
function report(checks: Check[], out: (text: string) => void, always = false): void {
  for (const check of checks.filter((c) => !c.ok || c.show || always))
    out(`  ${check.ok ? "✓" : "✗"} ${check.what}${check.detail ? `: ${check.detail}` : ""}`);
  const passed = checks.filter((c) => c.ok).length;
  if (!always && passed > 0) out(`  ✓ ${passed} of ${checks.length} checks hold`);
}
