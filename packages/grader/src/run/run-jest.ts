import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { graderJestConfig } from "./jest-config";
import type { RunPlan } from "./run-plan";
import { sweepRun } from "./run-watchdog";

/** The parts of Jest's `--json` output the grader reads. */
export interface JestJson {
  success: boolean;
  numTotalTests: number;
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
  /** Environment for the child: the grader's own, plus the services' URLs. */
  env: NodeJS.ProcessEnv;
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
const WATCHDOG = require.resolve("./run-watchdog.js");
/** How long the pipes may stay open after Jest exited and its run was swept. */
const CLOSE_GRACE_MS = 2_000;
/** Kept from the child's output for error reasons; enough for a stack trace, not a flood. */
const OUTPUT_TAIL = 8_000;

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
  // Never Jest's default cache: what one grading run transformed is not trusted by another. A
  // session passes one cache for its own runs (each exercise's transforms are then reused).
  const cacheDirectory = options.cacheDirectory ?? path.join(scratch, "cache");
  mkdirSync(cacheDirectory, { recursive: true });
  writeFileSync(
    configFile,
    JSON.stringify(graderJestConfig(plan, { repoRoot: options.repoRoot, cacheDirectory })),
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
    "--maxWorkers=2",
  ];
  const started = Date.now();
  try {
    // cwd is the folder holding the config: Jest looks for a config upwards from its cwd, and an
    // exercise outside any package (--exercises-dir elsewhere) would otherwise make it give up.
    const deadline = options.deadline ?? started + plan.timeoutMs;
    const outcome = await spawnGroup(args, env, scratch, { deadline, marker }, options.signal);
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

interface SpawnOutcome {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
}

/**
 * Runs Jest as the leader of a new session and process group, and enforces the deadline twice:
 * with a timer here, and with a watchdog process (run-watchdog.js) that still fires when this
 * process is stopped (SIGSTOP from a test running in band, whose parent is the grader) and then
 * resumes it. Either way the whole run is swept with SIGKILL (sweepRun: group, session, marked
 * environment, descendants), which ends stopped processes too. When Jest exits by itself the run
 * is swept as well, so nothing it started (setsid'd helpers included) outlives it.
 */
function spawnGroup(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  limit: { deadline: number; marker: string },
  signal?: AbortSignal,
): Promise<SpawnOutcome> {
  return new Promise((resolve, reject) => {
    // detached: the child leads a session and process group, so killing -pid also ends Jest's
    // workers and anything a submission started, and Ctrl-C in the terminal reaches the grader first.
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const watchdog = child.pid ? startWatchdog(child.pid, limit) : undefined;
    let timedOut = false;
    let exited = false;
    const sweep = () => {
      if (child.pid) sweepRun({ leader: child.pid, marker: limit.marker });
    };
    const timer = setTimeout(
      () => {
        timedOut = true;
        sweep();
      },
      Math.max(0, limit.deadline - Date.now()),
    );
    const onAbort = () => sweep();
    signal?.addEventListener("abort", onAbort);
    let settled = false;
    const settle = (code: number | null, exitSignal: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGrace);
      signal?.removeEventListener("abort", onAbort);
      watchdog?.kill("SIGKILL");
      // Killed at or after the deadline, whether by our timer or by the watchdog while this
      // process was stopped (then our timer may not have run yet).
      if (exitSignal === "SIGKILL" && Date.now() >= limit.deadline) timedOut = true;
      resolve({ code, signal: exitSignal, timedOut, output });
    };
    let closeGrace: NodeJS.Timeout | undefined;
    child.on("error", (error) => {
      clearTimeout(timer);
      watchdog?.kill("SIGKILL");
      reject(error);
    });
    // Jest is done; whatever it or the submission left running goes too (and with it any
    // grandchild that still holds our pipes open, which would delay "close"). A process that
    // escaped the sweep and holds the pipes does not hold up grading: after a grace period the
    // pipes are dropped.
    child.on("exit", (code, exitSignal) => {
      exited = true;
      sweep();
      closeGrace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle(code, exitSignal);
      }, CLOSE_GRACE_MS);
    });
    child.on("close", (code, exitSignal) => {
      if (exited) settle(code, exitSignal);
    });
  });
}

/** The deadline's second enforcer, outside this process's event loop (run-watchdog.js). */
function startWatchdog(leader: number, limit: { deadline: number; marker: string }): ChildProcess {
  const env = { ...process.env };
  delete env.SANDBOX_RUN_MARKER;
  delete env.NODE_OPTIONS;
  const watchdog = spawn(
    process.execPath,
    [WATCHDOG, String(process.pid), String(leader), limit.marker, String(limit.deadline)],
    { detached: true, stdio: "ignore", env },
  );
  // It must not keep the grader alive, nor be waited for.
  watchdog.unref();
  return watchdog;
}

export { JEST_BIN };
