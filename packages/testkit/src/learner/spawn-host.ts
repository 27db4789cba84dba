import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import type { LearnerRun } from "./learner-run";
import { MUTATION_COVERAGE_FILE, MUTATION_TEST_PATH } from "./mutant-coverage";
import { packageBundles } from "./package-bundles";
import { TRANSFORMS_AHEAD_ENV } from "./transforms-ahead";
import { learnerFoldersDir, transformCacheDir } from "./run-scratch";
import {
  SANDBOX_BRIDGE_MOUNT,
  SANDBOX_SOURCE_MOUNT,
  SANDBOX_TRANSFORMS_MOUNT,
  heapLimitMiB,
  sandboxCommand,
  setprivPath,
} from "./sandbox";

/** StrykerJS's INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE. */
const STRYKER_ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

/** The folder a mutation run's dry run collects coverage in (scripts/mutation.mjs). */
const MUTATION_COVERAGE_DIR = "SANDBOX_MUTATION_COVERAGE_DIR";
let coverageFiles = 0;

/**
 * Whether a learner's process of `run` records which mutants it reaches (mutant-coverage.ts):
 * in a mutation run's dry run only (no mutant active), and never sealed.
 */
export function recordsMutantCoverage(run: LearnerRun): boolean {
  return !run.sealed && !!process.env[MUTATION_COVERAGE_DIR] && !process.env[STRYKER_ACTIVE_MUTANT];
}

/** The test file this code runs for: Jest's expect knows it. */
function currentTestPath(): string {
  const jestExpect = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect;
  return jestExpect?.getState?.().testPath ?? "";
}

/** A learner's process's scratch folder (`root`) and its two parts the test process shares. */
export interface HostDirs {
  root: string;
  /** The Unix sockets that carry TCP in and out of a sealed process. */
  bridge: string;
  /** Manual clocks, files the test process writes and the learner's process reads. */
  clocks: string;
}

/** A learner's process as spawned: booting host.ts. */
export interface SpawnedHost {
  child: ChildProcess;
  dirs: HostDirs;
}

/**
 * On Linux with util-linux's setpriv: a prefix that has the kernel kill the process when the one
 * that started it ends (PR_SET_PDEATHSIG). The host also ends when its channel closes, but code
 * stuck in a loop never sees that; a sealed host gets the same from bubblewrap's
 * --die-with-parent. Elsewhere nothing: a killed test run may then leave such a process behind.
 */
function endsWithParent(): string[] {
  const setpriv = process.platform === "linux" ? setprivPath() : undefined;
  return setpriv ? [setpriv, "--pdeathsig", "KILL", "--"] : [];
}

/**
 * Spawns host.ts for `run` (through host-boot.js: tsx for the learner's TypeScript, and the
 * bundles of package-bundles.ts for the packages it names), with the
 * V8 heap limit of heapLimitMiB(), the channel on fd 3, and, when the run is sealed, inside bubblewrap
 * (sandbox.ts). Unsealed it leads a process group of its own, so that stopping it ends what it
 * started.
 */
export function spawnHost(run: LearnerRun, transformsAhead?: string): SpawnedHost {
  const root = mkdtempSync(path.join(learnerFoldersDir(), "sandbox-learner-"));
  const dirs = { root, bridge: path.join(root, "bridge"), clocks: path.join(root, "clocks") };
  mkdirSync(dirs.bridge);
  mkdirSync(dirs.clocks);
  chmodSync(root, 0o755);
  chmodSync(dirs.bridge, 0o777); // the sandbox's own user makes its sockets here
  chmodSync(dirs.clocks, 0o755);
  const host = path.join(__dirname, "host-boot.js");
  const node = [process.execPath, `--max-old-space-size=${heapLimitMiB()}`, host];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "test",
    NODE_PATH: run.modulePaths.join(path.delimiter),
    SANDBOX_LEARNER_DEPENDENCIES: JSON.stringify(run.dependencies),
  };
  // The packages it loads from one file each (package-bundles.ts): made by this trusted process
  // from the checkout's install, and read-only to a sealed process.
  const bundles = packageBundles(run.dependencies, run.exerciseDir);
  env.SANDBOX_LEARNER_PACKAGES = JSON.stringify(bundles);
  const bundleDirs = [...new Set(Object.values(bundles).map((file) => path.dirname(file)))];
  // The grader's mark on every process of a graded run: its sweep finds this one by it, even
  // after the Jest worker that started it is gone (the grader's run-watchdog.js).
  if (process.env.SANDBOX_RUN_MARKER) env.SANDBOX_RUN_MARKER = process.env.SANDBOX_RUN_MARKER;
  // Mutation testing (`npm run mutation`, docs/mutation-testing.md): StrykerJS names the mutant
  // to switch on in this variable, and the instrumented code reads it in the process it runs in,
  // which is this one, not Jest's. Unsealed only: a submission is never mutation-tested.
  if (!run.sealed && process.env[STRYKER_ACTIVE_MUTANT])
    env[STRYKER_ACTIVE_MUTANT] = process.env[STRYKER_ACTIVE_MUTANT];
  if (recordsMutantCoverage(run)) {
    const name = `${process.pid}-${++coverageFiles}-${path.basename(root)}.json`;
    env[MUTATION_COVERAGE_FILE] = path.join(process.env[MUTATION_COVERAGE_DIR]!, name);
    env[MUTATION_TEST_PATH] = currentTestPath();
  }
  let argv: string[];
  if (run.sealed) {
    env.SANDBOX_LEARNER_SOURCE = SANDBOX_SOURCE_MOUNT;
    env.SANDBOX_LEARNER_BRIDGE = SANDBOX_BRIDGE_MOUNT;
    if (transformsAhead) env[TRANSFORMS_AHEAD_ENV] = SANDBOX_TRANSFORMS_MOUNT;
    env.HOME = "/tmp";
    argv = sandboxCommand({
      sourceDir: run.sourceDir,
      exerciseModules: existsSync(path.join(run.exerciseDir, "node_modules"))
        ? path.join(run.exerciseDir, "node_modules")
        : undefined,
      readOnly: [path.dirname(path.dirname(process.execPath)), ...run.readOnly, ...bundleDirs],
      bridgeDir: dirs.bridge,
      clocksDir: dirs.clocks,
      transformCache: transformCacheDir(),
      transformsAhead,
      command: node,
    });
  } else {
    env.SANDBOX_LEARNER_SOURCE = run.sourceDir;
    if (transformsAhead) env[TRANSFORMS_AHEAD_ENV] = transformsAhead;
    env.HOME = process.env.HOME;
    // Node's compile cache (compile-cache.js), unsealed only: code run unsealed is the project's
    // own or yours, and could write anywhere you can anyway; sealed code must not write bytecode
    // that trusted processes load.
    if (process.env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE = process.env.NODE_COMPILE_CACHE;
    argv = [...endsWithParent(), ...node];
  }
  const child = spawn(argv[0]!, argv.slice(1), {
    env,
    cwd: run.sealed ? "/" : run.exerciseDir,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    detached: !run.sealed, // its own process group, so stop() ends what it started
  });
  return { child, dirs };
}
