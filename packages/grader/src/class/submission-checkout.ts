import { existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";

/** A student's repository as it stood at the deadline, checked out in a scratch folder. */
export interface CheckedOut {
  ok: true;
  /** The checkout: `exercises/<slug>/src/` is what gets graded. */
  dir: string;
  commit: string;
  /** The commit's committer date, ISO 8601 in UTC. */
  committedAt: string;
  dispose(): void;
}

/** Why a repository gave nothing to grade; `machine` when trying again might help. */
export interface NotCheckedOut {
  ok: false;
  reason: string;
  machine: boolean;
}

/** Git may take this long per command: a clone of a huge or stalled repository is a failure. */
const GIT_TIMEOUT_MS = 5 * 60_000;

/**
 * Clones `repository` (a URL, or a folder relative to `rosterDir`) into a new folder under
 * `scratch` and checks out the last commit of its default branch whose **committer date** is at
 * or before `deadline` (or its newest commit without one). Nothing of the repository is run: git
 * hooks are never cloned, and only `exercises/<slug>/src/` is read afterwards, by copySource.
 */
export async function checkoutAtDeadline(
  repository: string,
  rosterDir: string,
  scratch: string,
  deadline: Date | undefined,
): Promise<CheckedOut | NotCheckedOut> {
  if (!repository) return { ok: false, reason: "the roster gives no repository", machine: false };
  // A leading dash would be read by git as an option.
  if (repository.startsWith("-"))
    return { ok: false, reason: `"${repository}" is no repository`, machine: false };
  const source = isUrl(repository) ? repository : path.resolve(rosterDir, repository);
  if (!isUrl(repository) && !existsSync(source))
    return { ok: false, reason: `no repository at ${source}`, machine: false };
  let dir: string;
  try {
    dir = mkdtempSync(path.join(scratch, "repo-"));
  } catch (error) {
    // A full disk, or the scratch folder gone: the machine's failure, not the student's.
    return { ok: false, reason: `no scratch folder: ${(error as Error).message}`, machine: true };
  }
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    await git(scratch).raw(["clone", "--no-checkout", "--quiet", "--", source, dir]);
  } catch (error) {
    dispose();
    return { ok: false, reason: `git clone failed: ${gitMessage(error)}`, machine: true };
  }
  try {
    const repo = git(dir);
    const head = await repo
      .raw(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
      .catch(() => "");
    if (!head.trim()) {
      dispose();
      return { ok: false, reason: "the repository has no commits", machine: false };
    }
    const before = deadline ? [`--before=${gitDate(deadline)}`] : [];
    const commit = (await repo.raw(["rev-list", "-1", ...before, "HEAD"])).trim();
    if (!commit) {
      const oldest = (await repo.raw(["log", "--reverse", "--format=%cI", "HEAD"])).split("\n")[0]!;
      dispose();
      return {
        ok: false,
        reason: `no commit at or before the deadline ${deadline!.toISOString()} (its oldest commit is from ${utc(oldest.trim())})`,
        machine: false,
      };
    }
    await repo.raw(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit]);
    const committedAt = utc((await repo.raw(["show", "-s", "--format=%cI", commit])).trim());
    return { ok: true, dir, commit, committedAt, dispose };
  } catch (error) {
    dispose();
    return { ok: false, reason: `git failed: ${gitMessage(error)}`, machine: true };
  }
}

function git(baseDir: string): SimpleGit {
  return simpleGit({
    baseDir,
    timeout: { block: GIT_TIMEOUT_MS },
    // simple-git guards GIT_* variables; this one only turns git's password prompt off.
    allowEnvironment: ["GIT_TERMINAL_PROMPT"],
  }).env(gitEnv());
}

/**
 * Git's environment: what finds git, the user's git config (credentials for private repositories
 * come from there, e.g. a credential helper) and a network proxy; nothing that would run an editor
 * or a prompt. Without a terminal prompt, an unreachable private URL fails at once.
 */
function gitEnv(): Record<string, string> {
  const passed = [
    "PATH",
    "HOME",
    "XDG_CONFIG_HOME",
    "SSH_AUTH_SOCK",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
  ];
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  for (const name of passed) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}

/** `https://`, `ssh://`, `file://`, `git@host:path`: anything git clones that is not a plain folder. */
function isUrl(repository: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || /^[^/\\]+@[^/\\:]+:/.test(repository);
}

/** Git reads `YYYY-MM-DD HH:MM:SS +0000` unambiguously. */
function gitDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} +0000`;
}

function utc(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString();
}

/** Git's last meaningful line, without the clutter simple-git adds. */
function gitMessage(error: unknown): string {
  const lines = String((error as Error).message ?? error)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const line = lines.find((l) => /^fatal:/.test(l)) ?? lines.at(-1) ?? "unknown error";
  // curl's "Failed to connect ... after 3 ms": the same failure says the same reason on every
  // run, so a rerun or a shard records exactly what the full run does.
  return line.replace(/ after \d+ ms\b/g, "").slice(0, 300);
}
