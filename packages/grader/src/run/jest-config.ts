import path from "node:path";
import { exerciseJestConfig } from "@backend-sandbox/testkit/runner";
import type { RunPlan } from "./run-plan";

/**
 * The Jest configuration the grader writes for one exercise run: the testkit's exercise
 * configuration (the same one the preset gives `npm test`), never one from the exercise's own
 * files or from a submission. Hidden tests outside the checkout (--hidden-dir) still resolve
 * packages from the checkout's node_modules.
 *
 * A run that bails (`plan.bail`) stops at its first failing test: the rest of that file is skipped
 * (the testkit's test environment) and no later file starts (Jest's `bail`). It runs in band
 * (stopping at the first failure means one file at a time), its files in path order (Jest's
 * own sequencer orders by what the shared cache says failed before, so which file stopped it
 * would hang on what was graded earlier) after `plan.firstFiles`, and its reporter writes
 * `outputFile`, since Jest writes --outputFile only once every file ran.
 */
export function graderJestConfig(
  plan: Pick<RunPlan, "exercise" | "sourceDir" | "hiddenDir" | "includeVisible" | "usesServices"> &
    Partial<Pick<RunPlan, "testFiles" | "firstFiles" | "sealed" | "bail">>,
  options: {
    repoRoot: string;
    cacheDirectory?: string;
    reporters?: unknown[];
    /** Test files at once (Jest's maxWorkers); a run that bails takes 1 whatever this says. */
    maxWorkers?: number;
    /** Where a run that bails has its results written (the run's --outputFile). */
    outputFile?: string;
  },
): Record<string, unknown> {
  const bail = plan.bail === true;
  const config = exerciseJestConfig({
    exerciseDir: plan.exercise.dir,
    sourceDir: plan.sourceDir,
    hiddenDir: plan.hiddenDir,
    includeVisible: plan.includeVisible,
    usesServices: plan.usesServices,
    testFiles: plan.testFiles && inRunOrder(plan.testFiles, plan.firstFiles ?? []),
    sealed: plan.sealed,
    modulePaths: [path.join(options.repoRoot, "node_modules")],
    reporters:
      bail && options.outputFile
        ? [
            ...(options.reporters ?? ["default"]),
            [RESULTS_REPORTER, { outputFile: options.outputFile }],
          ]
        : options.reporters,
    cacheDirectory: options.cacheDirectory,
    maxWorkers: bail ? 1 : options.maxWorkers,
  });
  // Jest derives a configuration's `id` from its file's path, new for every run, and keeps its
  // transforms under that id: one id for every grading lets runs reuse each other's (the keys
  // themselves depend on each file's inputs alone: the testkit's ts-transformer.js).
  config.id = "backend-sandbox-grading";
  return bail
    ? {
        ...config,
        bail: 1,
        testSequencer: PLAN_ORDER_SEQUENCER,
        // The testkit's environment skips the rest of the file after its first failing test.
        testEnvironmentOptions: { bailAtFirstFailure: true },
      }
    : config;
}

/** The files the plan puts first, then the others; each group in path order. */
function inRunOrder(testFiles: string[], firstFiles: string[]): string[] {
  const first = testFiles.filter((file) => firstFiles.includes(file));
  return [...first, ...testFiles.filter((file) => !first.includes(file))];
}

const PLAN_ORDER_SEQUENCER = require.resolve("./plan-order-sequencer.js");
const RESULTS_REPORTER = require.resolve("./results-reporter.js");
