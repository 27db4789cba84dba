import type { ExerciseResult } from "../score/grade-result";

/**
 * Reasons that say the grading machine failed, not the submission: services that would not
 * start or stopped serving, sealing impossible, the disk full, too many open files or processes,
 * no memory for a process, the trusted checkout changed. A result with one of these is tried once
 * more, and then recorded as the student's `error`, never as points. Anything else an exercise
 * ends with (a crash at import, a timeout, no `src/`) is the submission's, and scores 0.
 */
const MACHINE_FAILURES = [
  /^Redis and Postgres could not start/,
  /^sealed grading is impossible here/,
  /its grade would not be fair/,
  /^grading was interrupted/,
  /trusted checkout changed|^grading stopped/,
  /\bENOSPC\b|no space left on device/i,
  /\bE[MN]FILE\b|too many open files/i,
  /\bEAGAIN\b|resource temporarily unavailable/i,
  /\bENOMEM\b|cannot allocate memory/i,
];

/** Why this exercise's result is the machine's failure, or undefined when it is a grade. */
export function machineFailure(result: ExerciseResult): string | undefined {
  if (result.status !== "error" || !result.reason) return undefined;
  return MACHINE_FAILURES.some((pattern) => pattern.test(result.reason!))
    ? result.reason
    : undefined;
}
