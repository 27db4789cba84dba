import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Exercise } from "../exercise/manifest";

/** Never part of what grades: the learner's code, installed packages, caches, packages' own tests. */
const SKIPPED_IN_EXERCISES = new Set(["src", "node_modules", ".turbo", ".sandbox"]);
const SKIPPED_IN_PACKAGES = new Set(["node_modules", ".turbo", "test", "coverage"]);

/**
 * The version a class result is stored under: the grader's package version and a SHA-256 of
 * everything that decides a grade: the grader's and the testkit's code, the lockfile, and each
 * graded exercise's folder but its `src/` (visible and hidden tests, exercise.json, solution,
 * configs), or its `--hidden-dir` folder. Fixing a test changes it, so the next `grade-class`
 * regrades everyone without `--regrade`; an unrelated exercise's change does not.
 */
export function graderVersion(
  repoRoot: string,
  exercises: readonly Exercise[],
  hiddenDirOf: (exercise: Exercise) => string,
): string {
  const hash = createHash("sha256");
  const grader = path.join(repoRoot, "packages", "grader");
  const version = (
    JSON.parse(readFileSync(path.join(grader, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  // Each file as a name that does not depend on where the checkout or the exercises are.
  const named = (label: string, root: string, skipped: ReadonlySet<string>) =>
    filesUnder(root, skipped).map((file) => [`${label}/${path.relative(root, file)}`, file]);
  const files = [
    ...named("grader", path.join(grader, "src"), SKIPPED_IN_PACKAGES),
    ...named("testkit", path.join(repoRoot, "packages", "testkit"), SKIPPED_IN_PACKAGES),
    ["package-lock.json", path.join(repoRoot, "package-lock.json")],
    ...exercises.flatMap((exercise) => [
      ...named(exercise.slug, exercise.dir, SKIPPED_IN_EXERCISES),
      ...named(`${exercise.slug}/hidden`, hiddenDirOf(exercise), SKIPPED_IN_EXERCISES),
    ]),
  ];
  for (const [name, file] of files) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(file!));
  }
  return `${version}+${hash.digest("hex").slice(0, 12)}`;
}

/** Files below `root`, sorted, skipping folders named in `skipped` at any depth. */
function filesUnder(root: string, skipped: ReadonlySet<string>): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const file = path.join(root, entry.name);
      if (entry.isDirectory()) return skipped.has(entry.name) ? [] : filesUnder(file, skipped);
      return entry.isFile() ? [file] : [];
    });
}
