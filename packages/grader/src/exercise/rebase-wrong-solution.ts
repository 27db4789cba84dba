import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UsageError } from "../terminal/usage-error";
import { readWrongSolution, WrongSolutionError, type WrongSolution } from "./wrong-solution-patch";

/** A wrong solution carried onto the solution as it is now, and where that needed a choice. */
export interface RebasedWrongSolution {
  wrong: WrongSolution;
  /** Files where the bug and the solution's later comments touched the same lines: the bug's side kept. */
  conflicted: string[];
}

/**
 * Carries a wrong solution whose patch no longer applies onto the solution as it is now, as
 * `git rebase` would: the patch is applied to `.meta/solution/` as git revision `since` held it,
 * and each file the bug changes gets the solution's changes since merged in three-way
 * (`git merge-file`). Where both touched the same lines and the solution's side only changed
 * comments (a Stryker disable line above the bug's line), the bug's side is kept and the file is
 * named in `conflicted`, to be checked by eye. Runs git. Throws UsageError (exit 2) when `since` is
 * not a commit of the checkout holding the exercise, and WrongSolutionError when the patch does
 * not apply at `since` either, or when the solution's code changed lines the bug changes.
 */
export function rebaseWrongSolution(
  exerciseDir: string,
  bug: string,
  since: string,
): RebasedWrongSolution {
  const solutionDir = path.join(exerciseDir, ".meta", "solution");
  const top = checkoutWithCommit(exerciseDir, since);
  const inRepo = path.relative(top, solutionDir).split(path.sep).join("/");
  const then = (name: string): string | null => {
    const shown = git(exerciseDir, "show", `${since}:${inRepo}/${name}`);
    return shown.status === 0 ? shown.stdout : null;
  };
  const nowTexts = new Map<string, string | null>(); // each solution file read once
  const nowText = (name: string): string | null => {
    const target = path.join(solutionDir, name);
    if (!nowTexts.has(name))
      nowTexts.set(name, existsSync(target) ? readFileSync(target, "utf8") : null);
    return nowTexts.get(name)!;
  };
  const before = readWrongSolution(exerciseDir, bug, then);
  const files = new Map<string, string | null>();
  const conflicted: string[] = [];
  for (const [name, bugThen] of before.files) {
    const base = then(name);
    const now = nowText(name);
    if (bugThen === null || base === null || now === null || now === base) {
      files.set(name, bugThen); // deleted, added, or a file the solution has not changed since
      continue;
    }
    const merged = mergeThreeWay(bugThen, base, now);
    if (merged.text === null)
      throw new WrongSolutionError(
        bug,
        `cannot be carried over from ${since}: in ${name} the bug and the solution's code changed the same lines; write the patch again (docs/authoring-an-exercise.md)`,
      );
    files.set(name, merged.text);
    if (merged.conflicts > 0) conflicted.push(name);
  }
  const changed = [...files].filter(([name, text]) => text !== nowText(name)).map(([n]) => n);
  return { wrong: { ...before, files, changed }, conflicted };
}

/**
 * The top folder of the git checkout holding `dir`, once `rev` is known to be one of its commits;
 * a UsageError (exit 2) otherwise.
 */
export function checkoutWithCommit(dir: string, rev: string): string {
  const top = git(dir, "rev-parse", "--show-toplevel");
  if (top.status !== 0) throw new UsageError(`--since needs a git checkout; ${dir} is not in one`);
  if (git(dir, "rev-parse", "--verify", "--quiet", `${rev}^{commit}`).status !== 0)
    throw new UsageError(`--since ${rev}: not a commit of ${top.stdout.trim()}`);
  return top.stdout.trim();
}

/**
 * `git merge-file`: `ours` with the change from `base` to `theirs`. A conflict where `theirs` only
 * added or removed comment lines keeps `ours` (the bug's lines; nothing of the solution's code is
 * lost). Any other conflict is not settled: `text` is null, since keeping either side whole could
 * carry stale code into the bug.
 */
function mergeThreeWay(
  ours: string,
  base: string,
  theirs: string,
): { text: string | null; conflicts: number } {
  const dir = mkdtempSync(path.join(tmpdir(), "sandbox-merge-"));
  try {
    const [o, b, t] = ["bug", "base", "solution"].map((name) => path.join(dir, name));
    writeFileSync(o!, ours);
    writeFileSync(b!, base);
    writeFileSync(t!, theirs);
    // Its exit status is the number of conflicts (at most 127), each shown with its base (diff3).
    const merged = spawnSync("git", ["merge-file", "-p", "--diff3", o!, b!, t!], {
      encoding: "utf8",
    });
    if (merged.status === null || merged.status > 127)
      throw new Error(`git merge-file failed: ${merged.stderr.trim()}`);
    return settleCommentConflicts(merged.stdout, merged.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of a diff3 conflict: `<<<<<<<` ours `|||||||` base `=======` theirs `>>>>>>>`. */
function settleCommentConflicts(
  merged: string,
  conflicts: number,
): { text: string | null; conflicts: number } {
  if (conflicts === 0) return { text: merged, conflicts };
  const code = (lines: string[]) => lines.filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line));
  const out: string[] = [];
  let part: "ours" | "base" | "theirs" | undefined;
  const block = { ours: [] as string[], base: [] as string[], theirs: [] as string[] };
  for (const line of merged.split("\n")) {
    if (line.startsWith("<<<<<<< ")) {
      part = "ours";
      block.ours = [];
      block.base = [];
      block.theirs = [];
    } else if (part === "ours" && line.startsWith("||||||| ")) part = "base";
    else if (part === "base" && line.startsWith("=======")) part = "theirs";
    else if (part === "theirs" && line.startsWith(">>>>>>> ")) {
      if (code(block.theirs).join("\n") !== code(block.base).join("\n"))
        return { text: null, conflicts };
      out.push(...block.ours);
      part = undefined;
    } else if (part) block[part].push(line);
    else out.push(line);
  }
  return { text: out.join("\n"), conflicts };
}

/** git run in the checkout holding `dir`, its output as text. */
function git(dir: string, ...args: string[]) {
  return spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
}
