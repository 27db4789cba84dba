import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { forgetPassedStages } from "@backend-sandbox/testkit/stage-progress";
import { resolveExercises } from "../exercise/catalog";
import type { Places } from "../repo-paths";
import { UsageError } from "../terminal/usage-error";

/**
 * `sandbox reset <slug>`: puts back the stub from git HEAD. The learner's `src/` is copied to
 * `.sandbox/backups/<slug>-<timestamp>/` first, so nothing is ever lost. The stages passed are
 * forgotten, so that `npm test` starts again from the first stage.
 */
export async function resetCommand(places: Places, slug: string): Promise<number> {
  const [exercise] = resolveExercises(places.exercisesDir, [slug]);
  const src = path.join(exercise!.dir, "src");
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: exercise!.dir,
      encoding: "buffer",
      stdio: ["ignore", "pipe", "pipe"],
    });
  let top: string;
  try {
    top = git("rev-parse", "--show-toplevel").toString().trim();
  } catch {
    throw new UsageError(
      `${exercise!.dir} is not in a git checkout, so there is no committed stub to restore`,
    );
  }
  const relative = path
    .relative(top, path.join(realpathSync(exercise!.dir), "src"))
    .split(path.sep)
    .join("/");
  const files = git("ls-tree", "-r", "--full-tree", "--name-only", "HEAD", "--", `${relative}/`)
    .toString()
    .split("\n")
    .filter(Boolean);
  if (files.length === 0)
    throw new UsageError(`git HEAD has no files under ${relative}/ to restore`);

  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const backup = path.join(places.stateDir, "backups", `${slug}-${stamp}`);
  if (existsSync(src)) {
    mkdirSync(path.dirname(backup), { recursive: true });
    cpSync(src, backup, { recursive: true });
  }
  rmSync(src, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(top, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, git("show", `HEAD:${file}`));
  }
  forgetPassedStages(places.stateDir, slug);
  process.stdout.write(
    `Restored ${path.relative(process.cwd(), src) || src} from git HEAD (${files.length} files).\n`,
  );
  if (existsSync(backup)) process.stdout.write(`Your previous files are in ${backup}\n`);
  return 0;
}
