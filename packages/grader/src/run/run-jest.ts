import { randomUUID } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { graderBatchJestConfig, graderJestConfig } from "./jest-config";
import type { RunPlan } from "./run-plan";
import { spawnRun } from "./spawn-run";

/** The parts of Jest's `--json` output the grader reads. */
export interface JestJson {
  success: boolean;
  numTotalTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  wasInterrupted?: boolean;
  testResults: JestFileResult[];
}

export interface JestFileResult {
  name: string;
  /** When the file started and ended (epoch ms); Jest always writes them. */
  startTime?: number;
  endTime?: number;
  status: string;
  message: string;
  testExecError?: { message?: string } | null;
  assertionResults: JestAssertion[];
}

export interface JestAssertion {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: string;
  duration?: number | null;
  failureMessages: string[];
}

export type JestRun =
  | {
      kind: "finished";
      json: JestJson;
      exitCode: number | null;
      output: string;
      durationMs: number;
    }
  | {
      kind: "no-results";
      exitCode: number | null;
      signal: string | null;
      output: string;
      durationMs: number;
    }
  | { kind: "timeout"; output: string; durationMs: number };

export interface RunJestOptions {
  /** The checkout whose node_modules the tests resolve packages from. */
  repoRoot: string;
  /** Jest's transform cache; by default one of this run's own. */
  cacheDirectory?: string;
  /** A cache whose copy starts this run's own (when `cacheDirectory` is not given); never written. */
  seedCacheFrom?: string;
  /** Environment for the child: the grader's own, plus the services' URLs. */
  env: NodeJS.ProcessEnv;
  /** Test files at once (Jest's --maxWorkers; 1 runs them in band): jestWorkersPerGrading(). */
  maxWorkers?: number;
  /** Heap limit of the Jest process and its workers, so an allocation bomb dies in seconds. */
  maxOldSpaceMb?: number;
  /** Aborting (Ctrl-C) kills the run's whole process group. */
  signal?: AbortSignal;
  /**
   * When the exercise's time runs out (epoch ms); by default `plan.timeoutMs` from now. The
   * session starts the clock before copying `src/`, so the copy counts against the limit.
   */
  deadline?: number;
}

const JEST_BIN = require.resolve("jest/bin/jest");

/**
 * The config the grader writes reads no variable of the preset's (SANDBOX_SOURCE_DIR and the
 * like), so only Jest's own marker is dropped: a grader run inside Jest (its own tests) must not
 * look like a worker to the child.
 */
const DROPPED_ENV = ["JEST_WORKER_ID"];

/**
 * Runs one exercise's tests in a child Jest process of its own, in its own process group, with a
 * config the grader wrote. The child writes its results as JSON to a file; a child that dies,
 * exits early or runs past the time limit leaves no file, and that is reported as such.
 */
export async function runJest(plan: RunPlan, options: RunJestOptions): Promise<JestRun> {
  return inJestProcess(options, plan.timeoutMs, async (run) => {
    const config = graderJestConfig(plan, {
      repoRoot: options.repoRoot,
      cacheDirectory: run.cacheDirectory,
      maxWorkers: options.maxWorkers ?? 2,
      outputFile: run.outputFile,
    });
    const outcome = await run.spawn(config);
    if (outcome.kind !== "ran") return outcome;
    try {
      const json = JSON.parse(readFileSync(run.outputFile, "utf8")) as JestJson;
      return { kind: "finished", json, ...outcome.ended };
    } catch {
      return { kind: "no-results", ...outcome.ended };
    }
  });
}

/**
 * Runs several gradings of one exercise in one child Jest process, each a project of its own
 * (graderBatchJestConfig(): `gradings[i].name` its displayName, each stopping at its first failing
 * test): what Jest costs before and after the test files is paid once. Resolves to each grading's
 * run in the order given; a grading that reported nothing (its project never ran) is `no-results`.
 * The time limit is the sum of the plans' (a run that hangs holds up the others).
 */
export async function runJestBatch(
  gradings: { name: string; plan: RunPlan }[],
  options: Omit<RunJestOptions, "maxWorkers">,
): Promise<JestRun[]> {
  const limitMs = gradings.reduce((sum, { plan }) => sum + plan.timeoutMs, 0);
  return inJestProcess(options, limitMs, async (run) => {
    // Not Jest's --outputFile, which Jest writes over with the whole run's results at its end.
    const byProjectFile = `${run.outputFile}.by-project.json`;
    const config = graderBatchJestConfig(gradings, {
      repoRoot: options.repoRoot,
      cacheDirectory: run.cacheDirectory,
      outputFile: byProjectFile,
    });
    const outcome = await run.spawn(config);
    if (outcome.kind !== "ran") return gradings.map(() => outcome);
    // Jest exits 1 when a test failed; anything else (a signal, a crash in a global hook) leaves
    // no grading's results to trust.
    const { exitCode, signal } = outcome.ended;
    if (signal || (exitCode !== 0 && exitCode !== 1))
      return gradings.map(() => ({ kind: "no-results", ...outcome.ended }));
    let byName: Record<string, JestJson> = {};
    try {
      byName = JSON.parse(readFileSync(byProjectFile, "utf8")) as Record<string, JestJson>;
    } catch {
      // no results at all: every grading below is no-results
    }
    return gradings.map(({ name }): JestRun => {
      const json = byName[name];
      if (!json) return { kind: "no-results", ...outcome.ended };
      // The batch's exit code is any project's; each grading's is what its own run would exit with.
      const ownExitCode = json.success ? 0 : 1;
      return {
        kind: "finished",
        json,
        ...outcome.ended,
        exitCode: ownExitCode,
        durationMs: filesMs(json),
      };
    });
  });
}

/** How long a grading's files ran, from Jest's per-file start and end (epoch ms). */
function filesMs(json: JestJson): number {
  return json.testResults.reduce(
    (sum, file) => sum + Math.max(0, (file.endTime ?? 0) - (file.startTime ?? 0)),
    0,
  );
}

/** What a child Jest process ended with, besides its results. */
interface JestEnded {
  exitCode: number | null;
  signal: string | null;
  output: string;
  durationMs: number;
}

/** One child Jest process: its scratch folder, cache and output file, and how to start it. */
interface JestProcess {
  cacheDirectory: string;
  outputFile: string;
  /** Writes `config` and runs Jest on it until it exits, the time limit passes, or the signal aborts. */
  spawn(
    config: Record<string, unknown>,
  ): Promise<
    { kind: "ran"; ended: JestEnded } | { kind: "timeout"; output: string; durationMs: number }
  >;
}

/**
 * Gives `use` a child Jest process to start, in its own process group, in a scratch folder
 * removed afterwards; the time limit is `options.deadline`, else `limitMs` from now.
 */
async function inJestProcess<T>(
  options: Omit<RunJestOptions, "maxWorkers">,
  limitMs: number,
  use: (run: JestProcess) => Promise<T>,
): Promise<T> {
  const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-jest-"));
  const configFile = path.join(scratch, "jest.config.json");
  const outputFile = path.join(scratch, "results.json");
  // Never Jest's default cache, which a learner's own `npm test` writes: the session passes the
  // grader's shared cache where the code under test cannot write it, else this run has its own.
  const cacheDirectory = options.cacheDirectory ?? path.join(scratch, "cache");
  if (!options.cacheDirectory && options.seedCacheFrom)
    seedCache(options.seedCacheFrom, cacheDirectory);
  mkdirSync(cacheDirectory, { recursive: true });
  const spawn: JestProcess["spawn"] = async (config) => {
    writeFileSync(configFile, JSON.stringify(config));
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      FORCE_COLOR: "0",
      NODE_OPTIONS: `--max-old-space-size=${options.maxOldSpaceMb ?? 1024}`,
    };
    for (const name of DROPPED_ENV) delete env[name];
    // Inherited by everything the run starts, even across setsid: how sweepRun finds it.
    const marker = randomUUID();
    env.SANDBOX_RUN_MARKER = marker;
    const args = [
      JEST_BIN,
      "--config",
      configFile,
      "--json",
      "--outputFile",
      outputFile,
      "--ci",
      "--forceExit",
    ];
    const started = Date.now();
    // cwd is the folder holding the config: Jest looks for a config upwards from its cwd, and an
    // exercise outside any package (--exercises-dir elsewhere) would otherwise make it give up.
    const deadline = options.deadline ?? started + limitMs;
    const outcome = await spawnRun(args, env, scratch, { deadline, marker }, options.signal);
    const durationMs = Date.now() - started;
    if (outcome.timedOut) return { kind: "timeout", output: outcome.output, durationMs };
    const ended = {
      exitCode: outcome.code,
      signal: outcome.signal,
      output: outcome.output,
      durationMs,
    };
    return { kind: "ran", ended };
  };
  try {
    return await use({ cacheDirectory, outputFile, spawn });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Copies the transforms of `from` into `to`: copies, not links, so what a run's code under test
 * writes stays in that run's cache. Another session may be writing `from` meanwhile (a file gone
 * between listing and copying): what was not copied is transformed again.
 */
function seedCache(from: string, to: string): void {
  if (!existsSync(from)) return;
  try {
    cpSync(from, to, { recursive: true });
  } catch {
    // Jest writes each cache file whole (a rename), so what was copied is sound.
  }
}

export { JEST_BIN };
