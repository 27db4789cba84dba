import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { LAYOUT } from "@backend-sandbox/testkit/runner";
import { exerciseSlugs } from "../exercise/catalog";
import { checkoutWithCommit, rebaseWrongSolution } from "../exercise/rebase-wrong-solution";
import {
  preambleOf,
  readWrongSolution,
  WrongSolutionError,
  wrongSolutionBugs,
  type WrongSolution,
} from "../exercise/wrong-solution-patch";
import { writeStubDigest } from "../exercise/stub-digest";
import type { Places } from "../repo-paths";
import { UsageError } from "../terminal/usage-error";

/**
 * `sandbox format [path...]` (root `npm run format`): Prettier over the paths (default: the whole
 * checkout), and every wrong
 * solution's patch rewritten against the formatted solution, with its bug formatted the same way.
 * Formatting a solution moves its lines, so a plain `prettier --write` would leave every patch on
 * it unable to apply. With `since` (a git revision), a patch that no longer applies to the solution
 * is carried over from the solution as that revision held it (rebase-wrong-solution.ts): edit the
 * solution, then `sandbox format <exercise> --since HEAD`. One it cannot carry over (the solution's
 * code changed the bug's lines) is left as it is, named, and the exit code is 1.
 */
export async function formatCommand(
  places: Places,
  paths: string[] = [],
  options: { stubDigest?: boolean; since?: string } = {},
): Promise<number> {
  const targets = (paths.length > 0 ? paths : [places.repoRoot]).map((p) => path.resolve(p));
  for (const target of targets)
    if (!existsSync(target)) throw new UsageError(`nothing to format at ${target}`);
  if (options.since) for (const target of targets) checkoutWithCommit(target, options.since);
  const touches = (dir: string) =>
    targets.some(
      (t) => !path.relative(t, dir).startsWith("..") || !path.relative(dir, t).startsWith(".."),
    );
  // The bugs as whole files, read while the patches still fit the solution as it is.
  const carried: string[] = [];
  let stranded = 0; // patches --since could not carry over: left as they are
  const read = (dir: string, bug: string): WrongSolution[] => {
    try {
      return [readWrongSolution(dir, bug)];
    } catch (error) {
      if (!options.since || !(error instanceof WrongSolutionError)) throw error;
      try {
        const { wrong, conflicted } = rebaseWrongSolution(dir, bug, options.since);
        carried.push(
          `${path.basename(dir)}/${bug}: carried over from the solution at ${options.since}` +
            conflicted
              .map(
                (file) => `; ${file}: the bug's lines kept beside new comments (check the patch)`,
              )
              .join(""),
        );
        return [wrong];
      } catch (failure) {
        if (!(failure instanceof WrongSolutionError)) throw failure;
        carried.push(`${path.basename(dir)}/${bug}: left as it is: ${failure.message}`);
        stranded++;
        return [];
      }
    }
  };
  const wrong = exerciseSlugs(places.exercisesDir)
    .map((slug) => path.join(places.exercisesDir, slug))
    .filter(touches)
    .flatMap((dir) =>
      wrongSolutionBugs(dir).flatMap((bug) =>
        read(dir, bug).map((solution) => ({ dir, solution })),
      ),
    );
  const prettierBin = path.join(places.repoRoot, "node_modules", "prettier", "bin", "prettier.cjs");
  // Twice: Prettier is not always idempotent (a long call chain can settle only on a second pass).
  for (let pass = 0; pass < 2; pass++) {
    const run = spawnSync(
      process.execPath,
      [prettierBin, "--write", "--log-level=warn", ...targets],
      {
        cwd: places.repoRoot,
        stdio: "inherit",
      },
    );
    if (run.status !== 0) return 1;
  }
  let rewritten = 0;
  for (const { dir, solution } of wrong) {
    const file = path.join(dir, LAYOUT.wrongSolutions, `${solution.bug}.patch`);
    const patch = await formattedPatch(path.join(dir, LAYOUT.solution), solution);
    if (patch !== readFileSync(file, "utf8")) {
      writeFileSync(file, patch);
      rewritten++;
    }
  }
  // Only when asked: a learner who formats their work must not have it taken for the stub (a
  // desk grade would call it not started). After Prettier: the digest is of src/ as formatted.
  const digests = options.stubDigest
    ? exerciseSlugs(places.exercisesDir)
        .map((slug) => path.join(places.exercisesDir, slug))
        .filter(touches)
        .filter((dir) => writeStubDigest(dir)).length
    : 0;
  for (const line of carried) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `formatted; ${rewritten} of ${wrong.length + stranded} wrong-solution patches rewritten` +
      (stranded > 0 ? `; ${stranded} left to write again by hand` : "") +
      (digests > 0 ? `; stubDigest written in ${digests} exercise.json` : "") +
      "\n",
  );
  return stranded > 0 ? 1 : 0;
}

/** The patch of `wrong` against the (formatted) solution, the bug's files formatted alike. */
async function formattedPatch(solutionDir: string, wrong: WrongSolution): Promise<string> {
  const prettier = await import("prettier");
  const diffs: string[] = [];
  for (const [file, text] of [...wrong.files].sort(([a], [b]) => a.localeCompare(b))) {
    const target = path.join(solutionDir, file);
    const before = existsSync(target) ? readFileSync(target, "utf8") : null;
    const options = { ...(await prettier.resolveConfig(target)), filepath: target };
    let after = text;
    for (let pass = 0; pass < 2 && after !== null; pass++)
      after = await prettier.format(after, options);
    if (before === after) continue;
    diffs.push(
      createTwoFilesPatch(
        before === null ? "/dev/null" : `a/${file}`,
        after === null ? "/dev/null" : `b/${file}`,
        before ?? "",
        after ?? "",
        "",
        "",
        { context: 3 },
      )
        .split("\n")
        .filter((line) => !/^={10,}$/.test(line))
        .join("\n"),
    );
  }
  return `${preambleOf(wrong)}\n\n${diffs.join("")}`;
}
