import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
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
import { scoreExercise, ungradedResult } from "../score/score";
import { runJest } from "./run-jest";
import { ownHiddenDir, planRun } from "./run-plan";
import { prepareSource, type SourceChoice } from "./source-dir";

export interface SessionOptions {
  places: Places;
  /** Folder with a `<slug>/` of hidden tests per exercise, instead of `.meta/hidden/`. */
  hiddenRoot?: string;
  /** Overrides every exercise's `timeLimitSeconds`. */
  timeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Every learner's process runs sealed (`--sealed`; implied by `--submission`). */
  sealed?: boolean;
}

/**
 * One `grade` or `verify`: services are started on first need (the testkit's
 * startSharedServices) and shared by every exercise run, each exercise runs in its own child Jest,
 * and `close()` ends the services.
 */
export class GradingSession {
  private services?: Promise<StartedServices>;
  private sealing?: { why: string | undefined };
  private readonly runId = `${Date.now().toString(36)}-${process.pid}`;
  /** Jest's transform cache for this session only, removed by close(). */
  private readonly cacheDirectory = mkdtempSync(path.join(tmpdir(), "sandbox-cache-"));

  constructor(private readonly options: SessionOptions) {}

  hiddenDirOf(exercise: Exercise): string {
    return this.options.hiddenRoot
      ? path.join(this.options.hiddenRoot, exercise.slug)
      : ownHiddenDir(exercise);
  }

  timeoutMsOf(exercise: Exercise): number {
    return (this.options.timeoutSeconds ?? exercise.manifest.timeLimitSeconds) * 1000;
  }

  async grade(exercise: Exercise, source: SourceChoice): Promise<ExerciseResult> {
    const started = Date.now();
    const env = { ...(this.options.env ?? process.env) };
    const failed = (reason: string) =>
      ungradedResult(exercise, "error", reason, Date.now() - started);
    // After Ctrl-C nothing new starts; the loop in the command just drains.
    if (this.options.signal?.aborted) return failed("grading was interrupted");
    const sealed = Boolean(this.options.sealed) || source.kind === "submission";
    const unsealable = sealed ? this.whyUnsealable() : undefined;
    if (unsealable) return failed(`sealed grading is impossible here: ${unsealable}`);
    // A sealed run's services are its own: its Jest global setup starts them and its teardown
    // ends them, so what the code under test does to them reaches no other exercise.
    if (sealed) for (const name of SHARED_SERVICES_ENV) delete env[name];
    else if (exercise.manifest.services.length > 0) {
      try {
        Object.assign(env, sharedServicesEnv((await this.startServices()).services));
      } catch (error) {
        return failed(
          `Redis and Postgres could not start: ${(error as Error).message.split("\n")[0]} (run \`sandbox doctor\`)`,
        );
      }
    }
    const prepared = prepareSource(exercise, source, this.options.places.workDir, this.runId);
    try {
      if (prepared.problem) return failed(prepared.problem);
      const hiddenDir = this.hiddenDirOf(exercise);
      if (!existsSync(hiddenDir)) return failed(`no hidden tests at ${hiddenDir}`);
      const plan = planRun(exercise, {
        sourceDir: prepared.dir,
        hiddenDir,
        // A wrong solution must be caught by the hidden tests (of the stages it declares); its
        // visible tests add only time.
        includeVisible: source.kind !== "wrong-solution",
        timeoutMs: this.timeoutMsOf(exercise),
        stages: prepared.stages,
        sealed,
      });
      const run = await runJest(plan, {
        repoRoot: this.options.places.repoRoot,
        cacheDirectory: this.cacheDirectory,
        maxOldSpaceMb: memoryLimitMb(env),
        env,
        signal: this.options.signal,
      });
      const result = scoreExercise(plan, run);
      const broken = sealed ? undefined : await this.whyServicesBroke();
      return broken
        ? failed(
            `${broken} while this exercise ran; its grade would not be fair (run \`sandbox doctor\`)`,
          )
        : result;
    } finally {
      prepared.dispose();
    }
  }

  async close(): Promise<void> {
    rmSync(this.cacheDirectory, { recursive: true, force: true });
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

  private startServices(): Promise<StartedServices> {
    this.services ??= startSharedServices(this.options.env ?? process.env);
    return this.services;
  }
}

/** Heap limit per Jest process in MB (SANDBOX_MEMORY_LIMIT_MB, default 1024): an allocation bomb dies in seconds. */
function memoryLimitMb(env: NodeJS.ProcessEnv): number {
  const value = Number(env.SANDBOX_MEMORY_LIMIT_MB);
  return Number.isFinite(value) && value >= 128 ? value : 1024;
}
