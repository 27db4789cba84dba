import path from "node:path";
import {
  LAYOUT,
  stageOfFile,
  testFilesIn,
  visibleTestFiles,
} from "@backend-sandbox/testkit/runner";
import type { Exercise } from "../exercise/manifest";
import { rulesCitedInFile } from "../exercise/rule-citations";

/**
 * What one grading run of one exercise is, decided once: running it (run-jest.ts) and scoring it
 * (score.ts) both read this, so the files Jest is given and the files the scorer expects cannot
 * drift apart.
 */
export interface RunPlan {
  exercise: Exercise;
  /** Where `#src/*` points: src/, the solution, a submission's or a wrong solution's copy. */
  sourceDir: string;
  /** Hidden tests: `.meta/hidden/` or `--hidden-dir`'s `<slug>/`; undefined for a visible-only run. */
  hiddenDir?: string;
  /** False when only the hidden tests run (verify's wrong solutions). */
  includeVisible: boolean;
  /** Every test file the run must report on, visible first, sorted. */
  testFiles: string[];
  /** Set when only these stages' tests run (a wrong solution that declares its stages). */
  stages?: string[];
  /**
   * Set when only the tests citing one of these README rules in their title run: the rules a
   * wrong solution breaks (`Breaks:` in its patch). `testFiles` are then the files citing one,
   * and the testkit's test environment skips their other tests.
   */
  rules?: string[];
  timeoutMs: number;
  /** Whether the tests use Redis or Postgres (exercise.json `services`). */
  usesServices: boolean;
  /** The learner's process runs in a bubblewrap sandbox (testkit src/learner/sandbox.ts). */
  sealed: boolean;
  /**
   * Jest's `bail`: the run stops after the first file with a failing test, and the files after
   * it are not run (verify's wrong solutions on their declared stages: one failure is the verdict).
   */
  bail: boolean;
}

export function planRun(
  exercise: Exercise,
  run: {
    sourceDir: string;
    hiddenDir?: string;
    includeVisible?: boolean;
    timeoutMs: number;
    /** Only these stages' test files (default: every stage's). */
    stages?: string[];
    sealed?: boolean;
    bail?: boolean;
    /** README rule ids (`R4.1`): only the tests citing one run. */
    rules?: string[];
  },
): RunPlan {
  const includeVisible = run.includeVisible ?? true;
  const rules = run.rules && run.rules.length > 0 ? run.rules : undefined;
  // The file's text rather than its parsed titles (rule-trace.ts): a citation outside a title
  // only adds a file whose tests the environment then skips, and TypeScript's parser would cost
  // every grading process its load.
  const cites = (file: string) => rulesCitedInFile(file).some((rule) => rules!.includes(rule));
  const wanted = (file: string) =>
    (!run.stages || run.stages.includes(stageOfFile(file))) && (!rules || cites(file));
  const testFiles = [
    ...(includeVisible ? visibleTestFiles(exercise.dir) : []),
    ...testFilesIn(run.hiddenDir),
  ].filter(wanted);
  return {
    exercise,
    sourceDir: run.sourceDir,
    hiddenDir: run.hiddenDir,
    includeVisible,
    testFiles,
    ...(run.stages ? { stages: run.stages } : {}),
    ...(rules ? { rules } : {}),
    timeoutMs: run.timeoutMs,
    usesServices: exercise.manifest.services.length > 0,
    sealed: run.sealed ?? false,
    bail: run.bail ?? false,
  };
}

/** The exercise's own hidden tests, `.meta/hidden/`. */
export function ownHiddenDir(exercise: Exercise): string {
  return path.join(exercise.dir, LAYOUT.hidden);
}
