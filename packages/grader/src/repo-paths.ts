import path from "node:path";
import { learnerStateDir } from "@backend-sandbox/testkit/stage-progress";

/**
 * Where things live. The repository root comes from the grader's own location, never from a
 * submission or the working directory, so a submission cannot bring its own tests or configs.
 */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

export interface Places {
  /** The checkout the grader belongs to: node_modules, the Jest binary, the testkit. */
  repoRoot: string;
  /** Folder holding `<slug>/` exercise folders (the grader's own tests point it at fixtures). */
  exercisesDir: string;
  /** Learner state: last grade, hints shown, stages passed, backups (the testkit's learnerStateDir). */
  stateDir: string;
  /** Scratch copies of submissions and wrong solutions; inside the repo so node_modules resolve. */
  workDir: string;
  /**
   * Jest's transform cache shared by gradings whose code under test cannot write it, kept from
   * one run to the next; out of a sealed run's view (docs/grading.md).
   */
  transformCacheDir: string;
  /** The checkout seal's hashes, kept from one session to the next (checkout-seal.ts). */
  sealCacheFile: string;
}

export function places(env: NodeJS.ProcessEnv = process.env, exercisesDirOption?: string): Places {
  const exercisesDir = path.resolve(
    exercisesDirOption ?? env.SANDBOX_EXERCISES_DIR ?? path.join(REPO_ROOT, "exercises"),
  );
  return {
    repoRoot: REPO_ROOT,
    exercisesDir,
    stateDir: learnerStateDir(env),
    workDir: path.join(REPO_ROOT, ".sandbox", "work"),
    transformCacheDir: path.join(REPO_ROOT, ".sandbox", "cache", "jest"),
    sealCacheFile: path.join(REPO_ROOT, ".sandbox", "cache", "checkout-seal.json"),
  };
}
