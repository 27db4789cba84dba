import { execFileSync } from "node:child_process";
import path from "node:path";
import { UsageError } from "../terminal/usage-error";

/** Files outside `exercises/` that every exercise's tests depend on: a change there is a change to all. */
const SHARED = ["packages/", "package.json", "package-lock.json", "tsconfig.base.json"];

/** Which exercises `verify --changed` grades, and why, in one line. */
export interface ChangedExercises {
  /** Slugs of `exercisesDir` whose files changed; every slug when shared code changed. */
  slugs: string[];
  /** E.g. `since main (3f2a1c9): caching, gateway`, or what shared file changed. */
  summary: string;
}

/**
 * The exercises whose files differ from `base` (a git ref) in the checkout that holds
 * `exercisesDir`: committed since the merge base of `base` and HEAD (what a pull request would
 * show), changed in the working tree, or untracked and not ignored. A change under `packages/` or
 * to the root package files means every exercise. Runs git; a ref git does not know is a
 * UsageError (exit 2), naming the refs to try.
 */
export function changedExercises(
  exercisesDir: string,
  allSlugs: string[],
  base: string,
): ChangedExercises {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", exercisesDir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  let top: string;
  let since: string;
  try {
    top = git("rev-parse", "--show-toplevel").trim();
  } catch {
    throw new UsageError(`--changed needs a git checkout; ${exercisesDir} is not in one`);
  }
  try {
    since = git("merge-base", `${base}^{commit}`, "HEAD").trim();
  } catch {
    throw new UsageError(
      `--changed: git knows no commit "${base}" here (try main, origin/main or a commit id)`,
    );
  }
  // Both list paths from the top of the checkout (ls-files only below where it runs).
  const files = [
    ...git("-C", top, "diff", "--name-only", "-z", since).split("\0"),
    ...git("-C", top, "ls-files", "--others", "--exclude-standard", "-z").split("\0"),
  ].filter(Boolean);
  const where = `since ${base} (${since.slice(0, 7)})`;
  const sharedFile = files.find((file) =>
    SHARED.some((shared) => file === shared || (shared.endsWith("/") && file.startsWith(shared))),
  );
  if (sharedFile)
    return { slugs: allSlugs, summary: `${where}: every exercise, since ${sharedFile} changed` };
  const slugs = new Set<string>();
  for (const file of files) {
    const inExercises = path.relative(exercisesDir, path.join(top, file));
    const slug = inExercises.split(path.sep)[0]!;
    if (!inExercises.startsWith("..") && allSlugs.includes(slug)) slugs.add(slug);
  }
  const chosen = allSlugs.filter((slug) => slugs.has(slug));
  return {
    slugs: chosen,
    summary: `${where}: ${chosen.length > 0 ? chosen.join(", ") : "no exercise changed"}`,
  };
}
