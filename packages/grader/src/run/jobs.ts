import os from "node:os";
import { parseNumber } from "../terminal/parse-number";
import { UsageError } from "../terminal/usage-error";

/**
 * Gradings at once when --jobs is not given: one per core and two more, at most one per 2 GiB of
 * memory (a grading is a Jest run and the learner's processes), at least one. The two more fill
 * the time tests spend waiting on timers, Redis, Postgres and HTTP. Measured on two cores
 * (docs/performance.md): gateway's verify took 173 s at two gradings of two Jest workers each,
 * 140 s at three in band and 136 s at four; database's 141 s at three and 121 s at four.
 */
export function defaultJobs(): number {
  const byMemory = Math.floor(os.totalmem() / 2 ** 31);
  return Math.max(1, Math.min(os.availableParallelism() + 2, byMemory));
}

/**
 * Jest workers for each grading when `jobs` gradings run at once: two for a grading alone (its
 * test files mostly wait, so two at a time pay off even on two cores), none (Jest runs the files
 * in band, in its own process) beside others. Beside others the cores are busy already, and each
 * worker would load Jest's runtime, ts-jest and TypeScript again: gateway's verify spent 220
 * CPU-seconds with two workers a grading against 152 in band (docs/performance.md).
 */
export function jestWorkersPerGrading(jobs: number): number {
  return jobs > 1 ? 1 : 2;
}

/** `--jobs <n>`: a whole number from 1 to 64, or defaultJobs() when absent; exit 2 otherwise. */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return defaultJobs();
  const jobs = parseNumber("--jobs", value, 1, 64);
  if (!Number.isInteger(jobs))
    throw new UsageError(`--jobs wants a whole number of gradings; got "${value}"`);
  return jobs;
}

/** `--jest-workers <n>`: a whole number from 1 to 64; exit 2 otherwise. */
export function parseJestWorkers(value: string): number {
  const workers = parseNumber("--jest-workers", value, 1, 64);
  if (!Number.isInteger(workers))
    throw new UsageError(`--jest-workers wants a whole number of test files; got "${value}"`);
  return workers;
}

/**
 * Wrong solutions per Jest process when `--batch` is not given. Each after the first saves what a
 * Jest process costs around its test files (about 0.6 s of CPU); fewer than all of an exercise's
 * at once keep `--jobs` gradings busy to the end (docs/performance.md).
 */
export const DEFAULT_BATCH = 8;

/** `--batch <n>`: a whole number from 1 to 64, or DEFAULT_BATCH when absent; exit 2 otherwise. */
export function parseBatch(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BATCH;
  const batch = parseNumber("--batch", value, 1, 64);
  if (!Number.isInteger(batch))
    throw new UsageError(`--batch wants a whole number of wrong solutions; got "${value}"`);
  return batch;
}
