import path from "node:path";
import { exerciseJestConfig } from "@backend-sandbox/testkit/runner";
import type { RunPlan } from "./run-plan";

/**
 * The Jest configuration the grader writes for one exercise run: the testkit's exercise
 * configuration (the same one the preset gives `npm test`), never one from the exercise's own
 * files or from a submission; with `plan.bail`, Jest's `bail: 1` and the files in path order.
 * Hidden tests outside the checkout (--hidden-dir) still resolve packages from the checkout's
 * node_modules.
 */
export function graderJestConfig(
  plan: Pick<RunPlan, "exercise" | "sourceDir" | "hiddenDir" | "includeVisible" | "usesServices"> &
    Partial<Pick<RunPlan, "testFiles" | "sealed" | "bail">>,
  options: { repoRoot: string; cacheDirectory?: string; reporters?: unknown[] },
): Record<string, unknown> {
  const config = exerciseJestConfig({
    exerciseDir: plan.exercise.dir,
    sourceDir: plan.sourceDir,
    hiddenDir: plan.hiddenDir,
    includeVisible: plan.includeVisible,
    usesServices: plan.usesServices,
    testFiles: plan.testFiles,
    sealed: plan.sealed,
    modulePaths: [path.join(options.repoRoot, "node_modules")],
    reporters: options.reporters,
    cacheDirectory: options.cacheDirectory,
  });
  // A run that bails stops at its first failing file: the files go in path order, so that
  // which one that is does not hang on what the shared cache says ran before.
  return plan.bail ? { ...config, bail: 1, testSequencer: PATH_ORDER_SEQUENCER } : config;
}

const PATH_ORDER_SEQUENCER = require.resolve("./path-order-sequencer.js");
