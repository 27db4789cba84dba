import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync, type BigIntStats } from "node:fs";
import path from "node:path";

/** Where the trusted files are: the checkout the grader belongs to and the exercises it grades. */
export interface TrustedRoots {
  repoRoot: string;
  exercisesDir: string;
  /** `--hidden-dir`: hidden tests outside the checkout, every file of it trusted. */
  hiddenRoot?: string;
}

/** Root files of the checkout that decide how anything is installed, built or configured. */
const ROOT_FILES = ["package.json", "package-lock.json", "tsconfig.base.json", ".nvmrc"];
/** Packages whose code runs the tests and reads their results. */
const TRUSTED_PACKAGES = ["packages/testkit", "packages/grader"];
/** Never trusted content, or rewritten by every run: not part of the seal. */
const SKIPPED_IN_PACKAGES = new Set(["node_modules", ".turbo", "test", "coverage"]);
const SKIPPED_IN_EXERCISES = new Set(["src", "node_modules", ".turbo", ".sandbox"]);
/** Tools may keep caches here; nothing the tests load. */
const SKIPPED_IN_NODE_MODULES = new Set([".cache"]);

interface Sealed {
  /** `ino:size:mtimeNs:ctimeNs:mode`; ctime cannot be set back by a process (utimes moves it). */
  stat: string;
  /** SHA-256 of the content (a symlink's target); this, not the stat, decides a change. */
  sha256: string;
}

/**
 * A SHA-256 per trusted file of the checkout, taken once at the start of a grading session, and
 * compared between exercises (docs/grading.md, "The checkout is hash-checked"). Trusted: the root
 * package files and lockfile, `node_modules/` (not `.cache/`), packages/testkit and
 * packages/grader (not their `test/`), every exercise folder but its `src/` (tests, `.meta/`
 * with hidden tests, solution and `exercise.json`, configs, package files), and the `--hidden-dir`
 * folder if any. Symlinks are not followed; their target is their content.
 *
 * A check walks the same files and lstat()s each; only a file whose stat differs is read and
 * hashed again, and its hash decides. Measured on this checkout (15,800 files, 240 MB, mostly
 * node_modules): sealing about 0.5 s once, a check about 0.1 s.
 */
export class CheckoutSeal {
  private constructor(
    private readonly roots: TrustedRoots,
    private readonly files: Map<string, Sealed>,
  ) {}

  static take(roots: TrustedRoots): CheckoutSeal {
    const files = new Map<string, Sealed>();
    for (const [file, stat] of trustedFiles(roots))
      files.set(file, { stat: statKey(stat), sha256: contentHash(file, stat) });
    return new CheckoutSeal(roots, files);
  }

  get size(): number {
    return this.files.size;
  }

  /**
   * The trusted files added, removed or changed in content since the seal was taken, sorted, each
   * shown relative to the checkout (or absolute when outside it); empty when nothing changed.
   */
  changes(): string[] {
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const [file, stat] of trustedFiles(this.roots)) {
      seen.add(file);
      const sealed = this.files.get(file);
      if (!sealed) {
        changed.push(`${this.show(file)} (added)`);
        continue;
      }
      const key = statKey(stat);
      if (key === sealed.stat) continue;
      if (contentHash(file, stat) !== sealed.sha256) changed.push(`${this.show(file)} (changed)`);
      // Same content (touched, or rewritten with the same bytes): remember the new stat so the
      // next check does not hash it again.
      else this.files.set(file, { ...sealed, stat: key });
    }
    for (const file of this.files.keys())
      if (!seen.has(file)) changed.push(`${this.show(file)} (removed)`);
    return changed.sort();
  }

  private show(file: string): string {
    const relative = path.relative(this.roots.repoRoot, file);
    return relative.startsWith("..") ? file : relative;
  }
}

/** Every trusted file with its lstat, in no particular order. */
function* trustedFiles(roots: TrustedRoots): Generator<[string, BigIntStats]> {
  for (const name of ROOT_FILES) yield* entry(path.join(roots.repoRoot, name));
  yield* walk(path.join(roots.repoRoot, "node_modules"), SKIPPED_IN_NODE_MODULES, false);
  for (const pkg of TRUSTED_PACKAGES)
    yield* walk(path.join(roots.repoRoot, pkg), SKIPPED_IN_PACKAGES, true);
  yield* walk(roots.exercisesDir, new Set(), true, SKIPPED_IN_EXERCISES);
  if (roots.hiddenRoot) yield* walk(roots.hiddenRoot, new Set(), true);
}

function* entry(file: string): Generator<[string, BigIntStats]> {
  const stat = lstatOrUndefined(file);
  if (stat && !stat.isDirectory()) yield [file, stat];
}

/**
 * Files below `dir`, not following symlinks. `skipped` names are skipped at the top level only,
 * `skippedBelow` one level down (an exercise's `src/`); `topOnly` skips those names only at the top.
 */
function* walk(
  dir: string,
  skipped: Set<string>,
  topOnly: boolean,
  skippedBelow = new Set<string>(),
  depth = 0,
): Generator<[string, BigIntStats]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if ((depth === 0 || !topOnly) && skipped.has(name)) continue;
    if (depth === 1 && skippedBelow.has(name)) continue;
    const file = path.join(dir, name);
    const stat = lstatOrUndefined(file);
    if (!stat) continue;
    if (stat.isDirectory()) yield* walk(file, skipped, topOnly, skippedBelow, depth + 1);
    else yield [file, stat];
  }
}

function lstatOrUndefined(file: string): BigIntStats | undefined {
  try {
    return lstatSync(file, { bigint: true });
  } catch {
    return undefined;
  }
}

function statKey(stat: BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.mode}`;
}

function contentHash(file: string, stat: BigIntStats): string {
  const hash = createHash("sha256");
  try {
    if (stat.isSymbolicLink()) hash.update(`symlink:${readlinkSync(file)}`);
    else if (stat.isFile()) hash.update(readFileSync(file));
    else hash.update(`special:${stat.mode}`);
  } catch (error) {
    hash.update(`unreadable:${(error as NodeJS.ErrnoException).code ?? "?"}`);
  }
  return hash.digest("hex");
}
