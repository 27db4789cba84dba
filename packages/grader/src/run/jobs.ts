import os from "node:os";
import { parseNumber } from "../terminal/parse-number";
import { UsageError } from "../terminal/usage-error";

/**
 * Gradings at once when --jobs is not given: one per core, at most one per 2 GiB of memory (a
 * grading is a Jest run with two workers and the learner's processes), at least one. Measured on
 * two cores: verify of api-design and database took 212 s at two against 339 s at one
 * (docs/performance.md).
 */
export function defaultJobs(): number {
  const byMemory = Math.floor(os.totalmem() / 2 ** 31);
  return Math.max(1, Math.min(os.availableParallelism(), byMemory));
}

/** `--jobs <n>`: a whole number from 1 to 64, or defaultJobs() when absent; exit 2 otherwise. */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return defaultJobs();
  const jobs = parseNumber("--jobs", value, 1, 64);
  if (!Number.isInteger(jobs))
    throw new UsageError(`--jobs wants a whole number of gradings; got "${value}"`);
  return jobs;
}
