import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  type Dirent,
  type Stats,
} from "node:fs";
import path from "node:path";
import { readJsonState, writeWhole } from "@backend-sandbox/testkit/json-state";

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
  /**
   * `dev:ino:size:mtimeMs:ctimeMs:mode`; ctime cannot be set back by a process (utimes moves it).
   */
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
 * hashed again, and its hash decides. Taking the seal reuses the hashes of the previous session
 * (`hashCacheFile`) for files whose stat is unchanged since, so only new or changed files are read:
 * on this checkout (26,000 files, 320 MB, mostly node_modules) about 0.4 CPU-seconds a take and
 * 0.35 a check, against 1.3 s for a take that reads every file (docs/performance.md, "The
 * checkout seal").
 */
export class CheckoutSeal {
  private constructor(
    private readonly roots: TrustedRoots,
    private readonly files: Map<string, Sealed>,
  ) {}

  /**
   * Seals the trusted files as they are now. `hashCacheFile`: where the hashes are kept from one
   * session to the next (JSON, written whole); a file whose stat is the one recorded there keeps
   * its recorded hash. The cache cannot weaken the seal: a file changed after it was recorded has
   * a new ctime, so it is read again, and whoever could write the cache between sessions could as
   * well have changed the trusted files then, before any seal (a seal guards a session). Sealed
   * runs cannot reach it (`.sandbox/` is out of their view).
   */
  static take(
    roots: TrustedRoots,
    { hashCacheFile }: { hashCacheFile?: string } = {},
  ): CheckoutSeal {
    const cached = hashCacheFile ? readHashCache(hashCacheFile) : new Map<string, Sealed>();
    const files = new Map<string, Sealed>();
    let hashed = 0;
    for (const [file, stat] of trustedFiles(roots)) {
      const key = statKey(stat);
      const known = cached.get(file);
      if (known?.stat === key) files.set(file, known);
      else {
        files.set(file, { stat: key, sha256: contentHash(file, stat) });
        hashed++;
      }
    }
    if (hashCacheFile && (hashed > 0 || files.size !== cached.size))
      writeHashCache(hashCacheFile, files);
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
function* trustedFiles(roots: TrustedRoots): Generator<[string, Stats]> {
  for (const name of ROOT_FILES) yield* entry(path.join(roots.repoRoot, name));
  yield* walk(path.join(roots.repoRoot, "node_modules"), SKIPPED_IN_NODE_MODULES, false);
  for (const pkg of TRUSTED_PACKAGES)
    yield* walk(path.join(roots.repoRoot, pkg), SKIPPED_IN_PACKAGES, true);
  yield* walk(path.resolve(roots.exercisesDir), new Set(), true, SKIPPED_IN_EXERCISES);
  if (roots.hiddenRoot) yield* walk(path.resolve(roots.hiddenRoot), new Set(), true);
}

function* entry(file: string): Generator<[string, Stats]> {
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
): Generator<[string, Stats]> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const { name } = entry;
    if ((depth === 0 || !topOnly) && skipped.has(name)) continue;
    if (depth === 1 && skippedBelow.has(name)) continue;
    // Joined by hand: path.join's normalizing is a tenth of a walk of 25,000 files.
    const file = `${dir}/${name}`;
    if (entry.isDirectory()) {
      yield* walk(file, skipped, topOnly, skippedBelow, depth + 1);
      continue;
    }
    const stat = lstatOrUndefined(file);
    if (stat?.isDirectory()) yield* walk(file, skipped, topOnly, skippedBelow, depth + 1);
    else if (stat) yield [file, stat];
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds with their fraction (microseconds) are enough: a write moves ctime to the moment it
 * happens, long after the seal was taken.
 */
function statKey(stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.mode}`;
}

/** The cache's shape: `{ version, files: { [absolute path]: [stat key, sha256] } }`. */
const HASH_CACHE_VERSION = 1;

/** The hashes recorded by an earlier take; empty when the file is missing, damaged or older. */
function readHashCache(file: string): Map<string, Sealed> {
  const { version, files } = readJsonState(file);
  const cached = new Map<string, Sealed>();
  if (version !== HASH_CACHE_VERSION || !files || typeof files !== "object") return cached;
  for (const [name, value] of Object.entries(files as Record<string, unknown>))
    if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string")
      cached.set(name, { stat: value[0], sha256: value[1] });
  return cached;
}

/** Records this take's hashes whole (a temporary file renamed), for the next session. */
function writeHashCache(file: string, sealed: Map<string, Sealed>): void {
  const files: Record<string, [string, string]> = {};
  for (const [name, { stat, sha256 }] of sealed) files[name] = [stat, sha256];
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeWhole(file, JSON.stringify({ version: HASH_CACHE_VERSION, files }));
  } catch {
    // A cache that cannot be written only costs the next session the reading.
  }
}

function contentHash(file: string, stat: Stats): string {
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
