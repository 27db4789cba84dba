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
 * would hang on what was graded earlier), and its reporter writes `outputFile`, since Jest
 * writes --outputFile only once every file ran. A plan with `rules` has the test environment
 * skip every test citing none of them.
 */
export function graderJestConfig(
  plan: Pick<RunPlan, "exercise" | "sourceDir" | "hiddenDir" | "includeVisible" | "usesServices"> &
    Partial<Pick<RunPlan, "testFiles" | "rules" | "sealed" | "bail">>,
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
    testFiles: plan.testFiles,
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
  // The testkit's environment skips the tests citing none of `rules`, and with
  // bailAtFirstFailure the rest of the file after its first failing test.
  const environment = {
    ...(plan.rules ? { rules: plan.rules } : {}),
    ...(bail ? { bailAtFirstFailure: true } : {}),
  };
  if (Object.keys(environment).length > 0) config.testEnvironmentOptions = environment;
  return bail ? { ...config, bail: 1, testSequencer: PLAN_ORDER_SEQUENCER } : config;
}

/**
 * The Jest configuration of a batch: several gradings of one exercise in one Jest process, each a
 * project of its own (named `name`, Jest's displayName) with its own code under test, as
 * graderJestConfig() writes it, in the order given. Each grading stops at its first failing test
 * as a run that bails does, but Jest's `bail` would count the failures of every project, so the
 * projects' runner (project-bail-runner.js) stops each alone; `outputFile` gets each project's
 * results apart (batch-results-reporter.js). It saves each grading but the first what a Jest
 * process costs before and after its test files (docs/performance.md).
 */
export function graderBatchJestConfig(
  gradings: { name: string; plan: Parameters<typeof graderJestConfig>[0] }[],
  options: { repoRoot: string; cacheDirectory?: string; outputFile: string },
): Record<string, unknown> {
  const projects = gradings.map(({ name, plan }) => {
    const {
      bail: _bail,
      reporters: _reporters,
      testSequencer: _sequencer,
      ...project
    } = graderJestConfig(plan, {
      repoRoot: options.repoRoot,
      cacheDirectory: options.cacheDirectory,
    });
    return { ...project, displayName: name, runner: PROJECT_BAIL_RUNNER };
  });
  return {
    projects,
    maxWorkers: 1,
    testSequencer: PLAN_ORDER_SEQUENCER,
    // A global option: every project of a batch is of one exercise, so the first one's is theirs.
    testTimeout: (projects[0] as { testTimeout?: number } | undefined)?.testTimeout,
    watchman: false,
    reporters: ["default", [BATCH_RESULTS_REPORTER, { outputFile: options.outputFile }]],
  };
}

const PLAN_ORDER_SEQUENCER = require.resolve("./plan-order-sequencer.js");
const RESULTS_REPORTER = require.resolve("./results-reporter.js");
const BATCH_RESULTS_REPORTER = require.resolve("./batch-results-reporter.js");
const PROJECT_BAIL_RUNNER = require.resolve("./project-bail-runner.js");
