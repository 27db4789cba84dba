import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import {
  LAYOUT,
  SHARED_SERVICES_ENV,
  sharedServicesEnv,
  startSharedServices,
  whyServicesFail,
  whySealingIsImpossible,
  type StartedServices,
} from "@backend-sandbox/testkit/runner";
import type { Exercise } from "../exercise/manifest";
import type { Places } from "../repo-paths";
import type { ExerciseResult } from "../score/grade-result";
import { hiddenOnlyLines, withholdHiddenText } from "../score/hidden-text";
import { scoreExercise, ungradedResult } from "../score/score";
import { CheckoutSeal } from "./checkout-seal";
import { runJest, runJestBatch } from "./run-jest";
import { ownHiddenDir, planRun, type RunPlan } from "./run-plan";
import { bailsAtFirstFailure, prepareSource, type SourceChoice } from "./source-dir";

export interface SessionOptions {
  places: Places;
  /** Folder with a `<slug>/` of hidden tests per exercise, instead of `.meta/hidden/`. */
  hiddenRoot?: string;
  /** Overrides every exercise's `timeLimitSeconds`. */
  timeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /**
   * Hash the trusted checkout when the first exercise starts and check it after each one
   * (checkout-seal.ts): a change makes that exercise and every later one an `error`, and
   * `stopped` says why. `grade` turns it on; `verify` grades only the checkout's own code.
   */
  checkCheckout?: boolean;
  /** Every learner's process runs sealed (`--sealed`; implied by `--submission`). */
  sealed?: boolean;
  /** Jest workers of each exercise run: jestWorkersPerGrading() of the gradings run at once. */
  jestWorkers?: number;
}

/**
 * One `grade` or `verify`: each exercise runs in its own child Jest, and `close()` ends the
 * services. Unsealed, services are started on first need (the testkit's startSharedServices) and
 * shared by every exercise run. Sealed, each exercise run has services of its own, ended after it;
 * the next run's are started while one grades, so that their start (about 2.5 s with Docker) is
 * not waited for.
 */
export class GradingSession {
  private services?: Promise<StartedServices>;
  /** Sealed: services started for the next exercise run, used by nobody yet. */
  private spareServices?: Promise<StartedServices>;
  /** Sealed: services of finished runs, being ended. */
  private readonly ending: Promise<void>[] = [];
  private sealing?: { why: string | undefined };
  private readonly runId = `${Date.now().toString(36)}-${process.pid}`;
  private seal?: CheckoutSeal;
  /** Set once the trusted checkout was found changed: why grading stopped. */
  stopped?: string;

  constructor(private readonly options: SessionOptions) {}

  hiddenDirOf(exercise: Exercise): string {
    return this.options.hiddenRoot
      ? path.join(this.options.hiddenRoot, exercise.slug)
      : ownHiddenDir(exercise);
  }

  timeoutMsOf(exercise: Exercise): number {
    return (this.options.timeoutSeconds ?? exercise.manifest.timeLimitSeconds) * 1000;
  }

  /**
   * Grades one exercise. With `checkCheckout`, the trusted checkout is compared with its seal
   * after the run: a change turns this result into an `error` naming the changed files, and every
   * later call returns that `error` without grading. `stages` limits the run to those stages'
   * tests (`grade --stage`); the others then have no tests and score 0.
   */
  async grade(
    exercise: Exercise,
    source: SourceChoice,
    stages?: string[],
  ): Promise<ExerciseResult> {
    const started = Date.now();
    const failed = (reason: string) =>
      ungradedResult(exercise, "error", reason, Date.now() - started);
    if (this.stopped) return failed(this.stopped);
    if (this.options.checkCheckout)
      this.seal ??= CheckoutSeal.take(
        {
          repoRoot: this.options.places.repoRoot,
          exercisesDir: this.options.places.exercisesDir,
          hiddenRoot: this.options.hiddenRoot,
        },
        { hashCacheFile: this.options.places.sealCacheFile },
      );
    // Whatever the run printed, no report carries a line of a hidden test.
    const result = this.withheld(exercise, await this.gradeUnchecked(exercise, source, stages));
    const changed = this.seal?.changes() ?? [];
    if (changed.length === 0) return result;
    const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ", …" : "");
    // Side by side, the first grading to see the change names it.
    this.stopped ??= `grading stopped: the trusted checkout changed while ${exercise.slug} was graded (${shown})`;
    return failed(
      `the trusted checkout changed while this exercise was graded: ${shown}; grading stopped`,
    );
  }

  private async gradeUnchecked(
    exercise: Exercise,
    source: SourceChoice,
    stages: string[] | undefined,
  ): Promise<ExerciseResult> {
    const started = Date.now();
    const env = { ...(this.options.env ?? process.env) };
    const failed = (reason: string) =>
      ungradedResult(exercise, "error", reason, Date.now() - started);
    // After Ctrl-C nothing new starts; the loop in the command just drains.
    if (this.options.signal?.aborted) return failed("grading was interrupted");
    const sealed = Boolean(this.options.sealed) || source.kind === "submission";
    // What the code under test prints belongs to its tests' results, not to Jest's output, which
    // the grader reads to tell why a run failed.
    env.SANDBOX_QUIET = "1";
    const unsealable = sealed ? this.whyUnsealable() : undefined;
    if (unsealable) return failed(`sealed grading is impossible here: ${unsealable}`);
    // A sealed run's services are its own and end with it, so what the code under test does to
    // them reaches no other exercise.
    let own: Promise<StartedServices> | undefined;
    if (sealed) for (const name of SHARED_SERVICES_ENV) delete env[name];
    if (exercise.manifest.services.length > 0) {
      try {
        if (sealed) own = this.takeOwnServices();
        Object.assign(env, sharedServicesEnv((await (own ?? this.startServices())).services));
      } catch (error) {
        return failed(
          `Redis and Postgres could not start: ${(error as Error).message.split("\n")[0]} (run \`sandbox doctor\`)`,
        );
      }
    }
    // The exercise's clock starts before src/ is copied: the copy counts against its limit.
    const clock = Date.now();
    const deadline = clock + this.timeoutMsOf(exercise);
    let prepared: ReturnType<typeof prepareSource> | undefined;
    try {
      prepared = prepareSource(exercise, source, this.options.places.workDir, this.runId, deadline);
      if (prepared.timedOut)
        return ungradedResult(exercise, "timeout", prepared.problem!, Date.now() - started);
      if (prepared.problem) return failed(prepared.problem);
      const hiddenDir = this.hiddenDirOf(exercise);
      if (!existsSync(hiddenDir)) return failed(`no hidden tests at ${hiddenDir}`);
      const plan = this.planOf(exercise, source, prepared, { hiddenDir, sealed, stages });
      const run = await runJest(plan, {
        repoRoot: this.options.places.repoRoot,
        // A learner's code run unsealed could write a forged transform of a later test file into
        // a shared cache, so such a run gets a copy of it for its own; sealed, the cache is out of
        // its reach, and the project's own code (solutions, wrong solutions, verify) is trusted.
        cacheDirectory: mayWriteSharedCache(source, sealed, this.options.checkCheckout)
          ? this.options.places.transformCacheDir
          : undefined,
        seedCacheFrom: this.options.places.transformCacheDir,
        maxWorkers: this.options.jestWorkers,
        maxOldSpaceMb: memoryLimitMb(env),
        env,
        signal: this.options.signal,
        deadline,
      });
      const result = scoreExercise(plan, run);
      const broken = sealed ? undefined : await this.whyServicesBroke();
      return broken
        ? failed(
            `${broken} while this exercise ran; its grade would not be fair (run \`sandbox doctor\`)`,
          )
        : result;
    } finally {
      prepared?.dispose();
      if (own) this.endLater(own);
    }
  }

  /**
   * Grades several wrong solutions of one exercise, each stopping at its first failing test, in
   * one Jest process (runJestBatch: a project each), as grade() would one by one but paying once
   * what a Jest process costs around its test files. Only for what grade() would run unsealed
   * with the shared transform cache and Jest's bail (verify's wrong solutions); anything else, and
   * any grading the batch could not finish (a time limit reached, no results), is graded alone.
   * Resolves to one result per source, in order.
   */
  async gradeBatch(exercise: Exercise, sources: SourceChoice[]): Promise<ExerciseResult[]> {
    const batchable =
      sources.length > 1 &&
      !this.options.sealed &&
      !this.options.checkCheckout &&
      sources.every((source) => source.kind === "wrong-solution" && bailsAtFirstFailure(source));
    if (!batchable || this.stopped || this.options.signal?.aborted)
      return this.gradeEach(exercise, sources);
    const env = { ...(this.options.env ?? process.env), SANDBOX_QUIET: "1" };
    if (exercise.manifest.services.length > 0) {
      try {
        Object.assign(env, sharedServicesEnv((await this.startServices()).services));
      } catch {
        return this.gradeEach(exercise, sources); // each says why in its own words
      }
    }
    const hiddenDir = this.hiddenDirOf(exercise);
    if (!existsSync(hiddenDir)) return this.gradeEach(exercise, sources);
    const deadline = Date.now() + this.timeoutMsOf(exercise) * sources.length;
    const prepared = sources.map((source) =>
      prepareSource(exercise, source, this.options.places.workDir, this.runId, deadline),
    );
    try {
      // Each a project named after its bug (unique in an exercise), as Jest's output shows it.
      const gradings = prepared.flatMap((ready, i) => {
        const source = sources[i]!;
        if (ready.problem || source.kind !== "wrong-solution") return [];
        const plan = this.planOf(exercise, source, ready, { hiddenDir, sealed: false });
        return [{ name: source.bug, index: i, plan }];
      });
      const runs =
        gradings.length > 0
          ? await runJestBatch(gradings, {
              repoRoot: this.options.places.repoRoot,
              cacheDirectory: this.options.places.transformCacheDir,
              maxOldSpaceMb: memoryLimitMb(env),
              env,
              signal: this.options.signal,
              deadline,
            })
          : [];
      const broken = await this.whyServicesBroke();
      const results: (ExerciseResult | undefined)[] = sources.map(() => undefined);
      // Read once for the whole batch: every grading withholds the same hidden lines.
      const hiddenLines = hiddenOnlyLines(hiddenDir, publicFilesOf(exercise));
      for (const [n, { index, plan }] of gradings.entries()) {
        const run = runs[n]!;
        if (run.kind === "finished" && !broken)
          results[index] = withholdHiddenText(scoreExercise(plan, run), hiddenLines);
      }
      // A source that could not be prepared, or that the batch could not finish: graded alone,
      // where it gets its own time limit and its own words for what went wrong.
      for (const [i, source] of sources.entries())
        results[i] ??= await this.grade(exercise, source);
      return results.map((result) => result!);
    } finally {
      for (const ready of prepared) ready.dispose();
    }
  }

  /** One grade() after another. */
  private async gradeEach(exercise: Exercise, sources: SourceChoice[]): Promise<ExerciseResult[]> {
    const results: ExerciseResult[] = [];
    for (const source of sources) results.push(await this.grade(exercise, source));
    return results;
  }

  /**
   * The run of `source` from its prepared folder: a wrong solution is graded on the hidden tests
   * alone (of the stages it declares, citing the rules it breaks; its visible tests would add only
   * time) and stops at its first failing test; `stages` limits any other run (`grade --stage`).
   */
  private planOf(
    exercise: Exercise,
    source: SourceChoice,
    prepared: ReturnType<typeof prepareSource>,
    run: { hiddenDir: string; sealed: boolean; stages?: string[] },
  ): RunPlan {
    return planRun(exercise, {
      sourceDir: prepared.dir,
      hiddenDir: run.hiddenDir,
      includeVisible: source.kind !== "wrong-solution",
      timeoutMs: this.timeoutMsOf(exercise),
      stages: prepared.stages ?? run.stages,
      rules: prepared.breaks,
      sealed: run.sealed,
      bail: bailsAtFirstFailure(source),
    });
  }

  /** `result` without a line of a hidden test, whatever the run printed. */
  private withheld(exercise: Exercise, result: ExerciseResult): ExerciseResult {
    return withholdHiddenText(
      result,
      hiddenOnlyLines(this.hiddenDirOf(exercise), publicFilesOf(exercise)),
    );
  }

  async close(): Promise<void> {
    const spare = this.spareServices;
    this.spareServices = undefined;
    if (spare) this.endLater(spare);
    await Promise.all(this.ending.splice(0));
    rmSync(path.join(this.options.places.workDir, this.runId), { recursive: true, force: true });
    const services = this.services;
    this.services = undefined;
    if (services) await (await services.catch(() => undefined))?.dispose();
  }

  /** Why this machine cannot seal a run (asked once per session), or undefined. */
  private whyUnsealable(): string | undefined {
    this.sealing ??= { why: whySealingIsImpossible() };
    return this.sealing.why;
  }

  /**
   * After an exercise: why the shared services no longer serve, if they do not. They are then
   * ended, and the next exercise starts fresh ones.
   */
  private async whyServicesBroke(): Promise<string | undefined> {
    const started = await this.services?.catch(() => undefined);
    if (!started) return undefined;
    const why = await whyServicesFail(started.services);
    if (why) {
      this.services = undefined;
      await started.dispose();
    }
    return why;
  }

  /** Ends services once they are up, without waiting here; close() waits for every one. */
  private endLater(services: Promise<StartedServices>): void {
    this.ending.push(services.then((started) => started.dispose()).catch(() => {}));
  }

  /**
   * Sealed: fresh services for one exercise run (the spare, when one was started), and a spare
   * started for the next run once these are up.
   */
  private takeOwnServices(): Promise<StartedServices> {
    const env = { ...(this.options.env ?? process.env) };
    // Never a parent's services: they would be shared with whatever else it runs.
    for (const name of SHARED_SERVICES_ENV) delete env[name];
    const taken = this.spareServices ?? startSharedServices(env);
    this.spareServices = taken.then(
      () => startSharedServices(env),
      () => startSharedServices(env),
    );
    this.spareServices.catch(() => {}); // a failed spare fails the run that takes it
    return taken;
  }

  private startServices(): Promise<StartedServices> {
    this.services ??= startSharedServices(this.options.env ?? process.env);
    return this.services;
  }
}

/**
 * Whether a run may use the session's shared transform cache: sealed (the code under test cannot
 * reach it), the project's own code (a reference or wrong solution), or a session that grades only
 * the checkout's own code (`verify`, which does not check the checkout).
 */
function mayWriteSharedCache(
  source: SourceChoice,
  sealed: boolean,
  checkCheckout: boolean | undefined,
): boolean {
  return sealed || !checkCheckout || source.kind === "solution" || source.kind === "wrong-solution";
}

/** What a learner may read anyway: visible tests and their support code, the stub, the solution. */
function publicFilesOf(exercise: Exercise): string[] {
  return [LAYOUT.tests, LAYOUT.source, LAYOUT.solution].map((dir) => path.join(exercise.dir, dir));
}

/** Heap limit per Jest process in MB (SANDBOX_MEMORY_LIMIT_MB, default 1024): an allocation bomb dies in seconds. */
function memoryLimitMb(env: NodeJS.ProcessEnv): number {
  const value = Number(env.SANDBOX_MEMORY_LIMIT_MB);
  return Number.isFinite(value) && value >= 128 ? value : 1024;
}
