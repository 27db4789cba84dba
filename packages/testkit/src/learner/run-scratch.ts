import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Reaper } from "../reaper";

/**
 * The environment variable that names a Jest run's scratch folder: its global setup makes it
 * (createRunScratch), its teardown removes it, and the reaper (or, for a run attached to warm
 * services, their keeper) does if the run is killed first.
 * The workers start after the setup and inherit it.
 */
export const RUN_SCRATCH_ENV = "SANDBOX_RUN_SCRATCH";

/**
 * Makes a run's scratch folder: `learners/` holds each learner's process's folder (its bridge
 * sockets and clock files), so that a killed run leaves none behind; `tsx/` (mode 1777, each file
 * its writer's) is the transform cache the run's sealed processes share: the first compiles the
 * testkit's host and the learner's code, the others read it, about 80 ms saved each. Only
 * processes of one run share it, and they all run the same code under test, so what one writes
 * there reaches no other submission. `transforms/`, made when first needed, holds what the test
 * processes compiled ahead for the learner's processes (make-transforms-ahead.ts).
 */
export function createRunScratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sandbox-run-"));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, "learners"));
  mkdirSync(path.join(dir, "tsx"));
  chmodSync(path.join(dir, "tsx"), 0o1777);
  return dir;
}

/** Removes a run's scratch folder, and takes it off the reaper's list when it was on it. */
export function removeScratch(dir: string, reaped: boolean): void {
  rmSync(dir, { recursive: true, force: true });
  if (reaped) Reaper.forThisProcess().untrack({ dir });
}

/** This run's scratch folder, if its global setup made one and it still exists. */
export function runScratchDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[RUN_SCRATCH_ENV];
  return dir && existsSync(dir) ? dir : undefined;
}

/** Where a learner's process gets its folder: the run's scratch, else the system's temporary folder. */
export function learnerFoldersDir(): string {
  const scratch = runScratchDir();
  return scratch ? path.join(scratch, "learners") : os.tmpdir();
}

/** The transform cache the run's sealed processes share, if the run has a scratch folder. */
export function transformCacheDir(): string | undefined {
  const scratch = runScratchDir();
  return scratch && path.join(scratch, "tsx");
}
