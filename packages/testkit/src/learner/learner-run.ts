import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where a learner's process comes from in this test run, and how it runs. */
export interface LearnerRun {
  /** `exercises/<slug>/`. */
  exerciseDir: string;
  /** The code under test: src/, the reference solution, a wrong solution's or a submission's copy. */
  sourceDir: string;
  /** In a bubblewrap sandbox (grading a submission, or `--sealed`). */
  sealed: boolean;
  /** The exercise's package.json `dependencies`: the packages its code may import. */
  dependencies: string[];
  /** Where those packages are found (NODE_PATH). */
  modulePaths: string[];
  /** What a sealed process may read besides its source: the repository's node_modules and the testkit's code. */
  readOnly: string[];
  /** Echo the learner's console output into the test output (the local loop). */
  echoOutput: boolean;
}

/** Set by the Jest configuration (exercise-layout.js `globals.sandboxRun`), absolute paths. */
interface ConfiguredRun {
  exerciseDir?: string;
  sourceDir?: string;
  sealed?: boolean;
}

const REPOSITORY = path.resolve(__dirname, "../../../..");

/** The run of the current test file, from the Jest configuration, else from the test file's place. */
export function learnerRun(): LearnerRun {
  const configured = (globalThis as { sandboxRun?: ConfiguredRun }).sandboxRun ?? {};
  const exerciseDir =
    configured.exerciseDir ?? exerciseOf(expect.getState().testPath ?? process.cwd());
  const sourceDir = path.resolve(
    exerciseDir,
    configured.sourceDir ?? (process.env.SANDBOX_SOURCE_DIR || "src"),
  );
  const packageFile = path.join(exerciseDir, "package.json");
  const manifest = (
    existsSync(packageFile) ? JSON.parse(readFileSync(packageFile, "utf8")) : {}
  ) as { dependencies?: Record<string, string> };
  const modules = path.join(REPOSITORY, "node_modules");
  return {
    exerciseDir,
    sourceDir,
    sealed: configured.sealed ?? process.env.SANDBOX_SEALED === "1",
    dependencies: Object.keys(manifest.dependencies ?? {}),
    modulePaths: [modules],
    readOnly: [modules, path.join(REPOSITORY, "packages/testkit/src")],
    echoOutput: !configured.sealed && process.env.SANDBOX_QUIET !== "1",
  };
}

/** The exercise folder a visible test file is in: the nearest folder up with a package.json. */
function exerciseOf(file: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir))
    if (existsSync(path.join(dir, "package.json"))) return dir;
  throw new Error(`no exercise folder above ${file}`);
}
