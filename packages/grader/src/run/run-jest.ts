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
import { graderJestConfig } from "./jest-config";
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
  const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-jest-"));
  const configFile = path.join(scratch, "jest.config.json");
  const outputFile = path.join(scratch, "results.json");
  // Never Jest's default cache, which a learner's own `npm test` writes: the session passes the
  // grader's shared cache where the code under test cannot write it, else this run has its own.
  const cacheDirectory = options.cacheDirectory ?? path.join(scratch, "cache");
  if (!options.cacheDirectory && options.seedCacheFrom)
    seedCache(options.seedCacheFrom, cacheDirectory);
  mkdirSync(cacheDirectory, { recursive: true });
  writeFileSync(
    configFile,
    JSON.stringify(
      graderJestConfig(plan, {
        repoRoot: options.repoRoot,
        cacheDirectory,
        maxWorkers: options.maxWorkers ?? 2,
        outputFile,
      }),
    ),
  );
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
  try {
    // cwd is the folder holding the config: Jest looks for a config upwards from its cwd, and an
    // exercise outside any package (--exercises-dir elsewhere) would otherwise make it give up.
    const deadline = options.deadline ?? started + plan.timeoutMs;
    const outcome = await spawnRun(args, env, scratch, { deadline, marker }, options.signal);
    const durationMs = Date.now() - started;
    if (outcome.timedOut) return { kind: "timeout", output: outcome.output, durationMs };
    let json: JestJson;
    try {
      json = JSON.parse(readFileSync(outputFile, "utf8")) as JestJson;
    } catch {
      return {
        kind: "no-results",
        exitCode: outcome.code,
        signal: outcome.signal,
        output: outcome.output,
        durationMs,
      };
    }
    return { kind: "finished", json, exitCode: outcome.code, output: outcome.output, durationMs };
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
