import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Exercise } from "../exercise/manifest";
import { UsageError } from "../terminal/usage-error";
import { readWrongSolution } from "../exercise/wrong-solution-patch";
import { copySource } from "./copy-source";

/** Which code `#src` points at for a grading run. */
export type SourceChoice =
  | { kind: "learner" }
  | { kind: "solution" }
  | { kind: "submission"; dir: string }
  | {
      kind: "wrong-solution";
      bug: string;
      /** Every stage's hidden tests, whatever the patch's `Stages:` line declares. */
      allStages?: boolean;
    };

/**
 * Whether a grading of `source` stops at its first file with a failing test (Jest's bail): a
 * wrong solution's, since one failing test is its verdict, unless --all-stages asks for every
 * test (the full picture of what catches it).
 */
export function bailsAtFirstFailure(source: SourceChoice): boolean {
  return source.kind === "wrong-solution" && !source.allStages;
}

export interface PreparedSource {
  dir: string;
  /** Set when the source could not be prepared; the exercise is then an error (or a timeout). */
  problem?: string;
  /** The copy itself ran past the exercise's time limit: the exercise is a `timeout`. */
  timedOut?: boolean;
  /** Removes any copy made for the run. */
  dispose(): void;
  /** A wrong solution's declared stages (`Stages:` in its patch): only their tests need run. */
  stages?: string[];
  /** The rules a wrong solution breaks (`Breaks:` in its patch): only their tests run. */
  breaks?: string[];
}

/**
 * Prepares the folder `#src` maps to. Learner and solution runs point at the checkout in place;
 * a submission's `exercises/<slug>/src/` is copied by copySource (files and folders only, within
 * SOURCE_CAPS, nothing else from the submission) into `workDir/<runId>/<slug>-<random>/src`, and a wrong
 * solution is a copy of the solution with `.meta/wrong-solutions/<bug>.patch` applied. A copy
 * that is refused or a patch that does not apply is the run's problem (the exercise is then an
 * error, or a timeout when the copy ran past `deadline`, epoch ms), never a crash or a silent skip.
 */
export function prepareSource(
  exercise: Exercise,
  choice: SourceChoice,
  workDir: string,
  runId: string,
  deadline = Infinity,
): PreparedSource {
  if (choice.kind === "learner") return inPlace(path.join(exercise.dir, "src"));
  const solution = path.join(exercise.dir, ".meta", "solution");
  if (choice.kind === "solution") return inPlace(solution);
  // A folder of this grading's own: verify grades several copies of one exercise side by side.
  mkdirSync(path.join(workDir, runId), { recursive: true });
  const scratch = mkdtempSync(path.join(workDir, runId, `${exercise.slug}-`));
  const dir = path.join(scratch, "src");
  mkdirSync(dir);
  const dispose = () => rmSync(scratch, { recursive: true, force: true });
  if (choice.kind === "wrong-solution") {
    const copied = copySource(solution, dir, deadline);
    if (!copied.ok) return { dir, dispose, problem: copied.reason, timedOut: copied.timedOut };
    try {
      const wrong = readWrongSolution(exercise.dir, choice.bug);
      for (const [file, text] of wrong.files) {
        const target = path.join(dir, file);
        if (text === null) rmSync(target, { force: true });
        else {
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, text);
        }
      }
      if (choice.allStages) return { dir, dispose };
      return {
        dir,
        dispose,
        ...(wrong.stages.length > 0 ? { stages: wrong.stages } : {}),
        ...(wrong.breaks.length > 0 ? { breaks: wrong.breaks } : {}),
      };
    } catch (error) {
      return { dir, dispose, problem: (error as Error).message };
    }
  }
  const submitted = path.join(choice.dir, "exercises", exercise.slug, "src");
  if (!existsSync(submitted) || !lstatSync(submitted).isDirectory()) {
    return { dir, dispose, problem: `the submission has no exercises/${exercise.slug}/src folder` };
  }
  const copied = copySource(submitted, dir, deadline);
  if (!copied.ok) return { dir, dispose, problem: copied.reason, timedOut: copied.timedOut };
  return { dir, dispose };
}

export function checkSubmissionDir(dir: string): string {
  const absolute = path.resolve(dir);
  if (!existsSync(absolute) || !lstatSync(absolute).isDirectory())
    throw new UsageError(`--submission ${dir}: no such folder`);
  if (!existsSync(path.join(absolute, "exercises")))
    throw new UsageError(
      `--submission ${dir}: has no exercises/ folder (point it at a checkout of the repository)`,
    );
  return absolute;
}

function inPlace(dir: string): PreparedSource {
  return { dir, dispose: () => {} };
}
