import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES } from "./run-sandbox";

/** The fixture exercise a class is graded on: no services, two stages, a few seconds sealed. */
export const SLUG = "partial";
const EXERCISE = path.join(FIXTURES, SLUG);

/** What a student's `exercises/partial/src/math.ts` can hold. */
export const WORK = {
  solution: readFileSync(path.join(EXERCISE, ".meta", "solution", "math.ts"), "utf8"),
  /** The exercise's own stub: right for positive numbers only (basics 10 of 30 points). */
  stub: readFileSync(path.join(EXERCISE, "src", "math.ts"), "utf8"),
  /** Wrong everywhere: 0 points. */
  wrong: "export function add(a: number, b: number): number {\n  return a * b;\n}\n",
};

/** A student's repository (a fork of the project: `exercises/<slug>/src/`), made with git. */
export function studentRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "--quiet", "--initial-branch=main");
  return dir;
}

/**
 * Commits `exercises/<slug>/src/<file>` (default partial's `math.ts`) with this content, authored
 * and committed at `date` (ISO 8601).
 */
export function commitWork(
  repo: string,
  content: string,
  date: string,
  { slug = SLUG, file = "math.ts" } = {},
): string {
  const src = path.join(repo, "exercises", slug, "src");
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, file), content);
  git(repo, "add", "-A");
  execFileSync(
    "git",
    [
      "-C",
      repo,
      "-c",
      "user.name=Student",
      "-c",
      "user.email=s@example.com",
      "commit",
      "--quiet",
      "-m",
      `work of ${date}`,
    ],
    { env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } },
  );
  return git(repo, "rev-parse", "HEAD").trim();
}

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
}
