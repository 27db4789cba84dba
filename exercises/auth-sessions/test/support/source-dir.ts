import path from "node:path";

/**
 * The folder of the code under test in this run (src/, the reference solution, a wrong solution's
 * or a submission's copy), found as the testkit's learner's process finds it: the Jest
 * configuration's `sandboxRun.sourceDir`, else SANDBOX_SOURCE_DIR, else src/. Its files are read
 * as text, never run, in the test process.
 */
export function sourceDir(): string {
  const run = (globalThis as { sandboxRun?: { exerciseDir?: string; sourceDir?: string } })
    .sandboxRun;
  const exerciseDir = run?.exerciseDir ?? path.resolve(__dirname, "../..");
  return path.resolve(exerciseDir, run?.sourceDir ?? (process.env.SANDBOX_SOURCE_DIR || "src"));
}
