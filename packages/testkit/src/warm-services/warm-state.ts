// The files of the warm services, read and written only here. One folder per user:
//   state.json    the keeper's pid and the services it holds (written once they answer)
//   start.lock    proper-lockfile's lock: one process at a time starts, replaces or stops them
//   last-used     its mtime is when a run last attached or ended (the idle clock)
//   runs/<pid>    a lease per Jest run attached now; a dead pid's lease counts for nothing
//   keeper.log    the keeper's own output, for the error when it cannot start
import { lock } from "proper-lockfile";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readJsonState, writeJsonState } from "../../json-state";
import type { SharedServices } from "../shared-services";

/** Bumped when the shape below changes: a keeper of another shape is replaced, not misread. */
const STATE_VERSION = 1;

export interface WarmState extends SharedServices {
  version: number;
  keeperPid: number;
  /** ISO 8601, when the services answered. */
  startedAt: string;
  /** Minutes without a run before the keeper stops the services. */
  idleMinutes: number;
  /** Redis's `run_id` and Postgres's `pg_postmaster_start_time()`: new for every server start. */
  identity: { redis: string; postgres: string };
  /** The provider and why it was chosen, in words. */
  description: string;
}

/** The folder: SANDBOX_WARM_DIR, else $XDG_STATE_HOME/backend-sandbox/warm-services (~/.local/state). */
export function warmDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SANDBOX_WARM_DIR) return env.SANDBOX_WARM_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "backend-sandbox", "warm-services");
}

const file = (dir: string, name: string) => join(dir, name);

/** The state the keeper wrote, or undefined when there is none or it is of another shape. */
export function readWarmState(dir: string): WarmState | undefined {
  const state = readJsonState(file(dir, "state.json")) as WarmState;
  return state.version === STATE_VERSION ? state : undefined;
}

export function writeWarmState(dir: string, state: Omit<WarmState, "version">): void {
  writeJsonState(file(dir, "state.json"), { version: STATE_VERSION, ...state });
}

export function removeWarmState(dir: string): void {
  rmSync(file(dir, "state.json"), { force: true });
}

/**
 * Holds the folder's lock while `work` runs. Waits up to `waitMs` for another holder (a run
 * starting the services takes seconds); a holder that died leaves a lock that goes stale in 10 s.
 */
export async function withWarmLock<T>(
  dir: string,
  work: () => Promise<T>,
  waitMs = 180_000,
): Promise<T> {
  mkdirSync(join(dir, "runs"), { recursive: true });
  const release = await lock(dir, {
    lockfilePath: file(dir, "start.lock"),
    stale: 10_000,
    retries: { retries: Math.ceil(waitMs / 100), factor: 1, minTimeout: 100, maxTimeout: 100 },
    // A lock taken over as stale means we were frozen for 10 s; the state is re-read on every use.
    onCompromised: () => {},
  });
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}

/** Marks now as the last use, which restarts the idle clock. */
export function touchLastUsed(dir: string): void {
  const path = file(dir, "last-used");
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    closeSync(openSync(path, "a"));
  }
}

/** When a run last attached or ended, in ms since the epoch; 0 when never. */
export function lastUsedAt(dir: string): number {
  try {
    return statSync(file(dir, "last-used")).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Takes a lease for the process `pid` (a Jest run); the returned function gives it back.
 * `leftovers` are folders to remove if that process dies holding the lease (its scratch folder):
 * the keeper does it, so a run attached to warm services needs no reaper of its own.
 */
export function takeLease(dir: string, pid = process.pid, leftovers: string[] = []): () => void {
  const path = join(dir, "runs", String(pid));
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFileSync(path, JSON.stringify(leftovers));
  touchLastUsed(dir);
  return () => {
    rmSync(path, { force: true });
    touchLastUsed(dir);
  };
}

/**
 * The pids of runs attached now. The lease of a process that is gone is removed on the way, with
 * the leftovers it names.
 */
export function liveLeases(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, "runs"));
  } catch {
    return [];
  }
  return names.map(Number).filter((pid) => {
    if (isAlive(pid)) return true;
    const lease = join(dir, "runs", String(pid));
    for (const leftover of leaseLeftovers(lease))
      rmSync(leftover, { recursive: true, force: true });
    rmSync(lease, { force: true });
    return false;
  });
}

function leaseLeftovers(lease: string): string[] {
  try {
    const paths: unknown = JSON.parse(readFileSync(lease, "utf8"));
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return []; // an empty lease (a run that named nothing) or one torn by a crash
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export const keeperLog = (dir: string) => file(dir, "keeper.log");
