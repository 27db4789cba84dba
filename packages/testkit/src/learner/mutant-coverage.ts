import { renameSync, writeFileSync } from "node:fs";

/**
 * Mutation testing's coverage per test file (scripts/mutation.mjs, docs/mutation-testing.md).
 * StrykerJS's instrumented code counts, in the process it runs in, each mutant it reaches
 * (`globalThis.__stryker__.mutantCoverage`); that process is this one, the learner's, where
 * Stryker's own coverage analysis cannot look. During Stryker's dry run (no mutant active) the
 * test process names a file in SANDBOX_MUTATION_COVERAGE_FILE, and this process writes to it, as
 * JSON `{ testPath, mutants: string[] }`, the ids of the mutants reached so far: every 250 ms
 * while they grow, when the test process asks before stopping it (`flushMutantCoverage`), and on
 * exit. The mutation run's test runner then runs, for each mutant, only the test files that reach
 * it (scripts/mutation-bail-runner.cjs).
 */
export const MUTATION_COVERAGE_FILE = "SANDBOX_MUTATION_COVERAGE_FILE";
/** The test file the process serves, recorded with its coverage. */
export const MUTATION_TEST_PATH = "SANDBOX_MUTATION_TEST_PATH";

/** Where this process's coverage goes, if it is recorded. */
const coverageFile = process.env[MUTATION_COVERAGE_FILE];
const testPath = process.env[MUTATION_TEST_PATH] ?? "";
let written = -1;

interface StrykerGlobal {
  __stryker__?: { mutantCoverage?: { static?: Record<string, number> } };
}

/** Writes the ids of the mutants reached so far, if coverage is recorded and they grew. */
export function flushMutantCoverage(): void {
  if (!coverageFile) return;
  const reached = Object.keys(
    (globalThis as StrykerGlobal).__stryker__?.mutantCoverage?.static ?? {},
  );
  if (reached.length === written) return;
  // Written aside, then renamed: a process killed mid-write leaves its last whole record.
  writeFileSync(`${coverageFile}.part`, JSON.stringify({ testPath, mutants: reached }));
  renameSync(`${coverageFile}.part`, coverageFile);
  written = reached.length;
}

/** Starts recording, when the test process asked for it: a no-op otherwise. */
export function recordMutantCoverage(): void {
  if (!coverageFile) return;
  setInterval(flushMutantCoverage, 250).unref();
  process.on("exit", flushMutantCoverage);
}
