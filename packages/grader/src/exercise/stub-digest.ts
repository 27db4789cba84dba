import { createHash } from "node:crypto";
import { lstatSync, opendirSync, readFileSync, writeFileSync, type Dir } from "node:fs";
import path from "node:path";
import { LAYOUT } from "@backend-sandbox/testkit/runner";
import type { Exercise } from "./manifest";

/**
 * The digest of a source folder's files, `sha256:<64 hex digits>` (the algorithm-prefixed form of
 * OCI image digests): SHA-256 over each file in path order, as its path relative to the folder
 * (`/`-separated), a NUL, its byte length, a NUL and its bytes, CRLF line ends read as LF (a
 * Windows checkout with core.autocrlf is still the stub as shipped). Names, contents and the set
 * of files count; timestamps and modes do not. `files` maps relative paths to contents.
 */
function sourceDigest(files: ReadonlyMap<string, Buffer>): string {
  const hash = createHash("sha256");
  for (const name of [...files.keys()].sort()) {
    const bytes = Buffer.from(files.get(name)!.toString("latin1").replace(/\r\n/g, "\n"), "latin1");
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Every file below `dir` (node_modules left out), by path relative to it; empty when it is
 * missing. With `limits`, undefined as soon as the folder lists more entries or holds more bytes
 * than that, or anything but folders and regular files (a symlink, a socket): nothing more of it
 * is listed or read.
 */
function filesIn(
  dir: string,
  limits: { entries: number; bytes: number },
): Map<string, Buffer> | undefined;
function filesIn(dir: string): Map<string, Buffer>;
function filesIn(
  dir: string,
  limits?: { entries: number; bytes: number },
): Map<string, Buffer> | undefined {
  let listing: Dir;
  try {
    listing = opendirSync(dir, { recursive: true });
  } catch {
    return new Map();
  }
  const files = new Map<string, Buffer>();
  let entries = 0;
  let bytes = 0;
  try {
    for (let entry = listing.readSync(); entry; entry = listing.readSync()) {
      if (limits && ++entries > limits.entries) return undefined;
      const file = path.join(entry.parentPath, entry.name);
      const name = path.relative(dir, file).split(path.sep).join("/");
      if (name.split("/").includes("node_modules")) continue;
      if (entry.isFile()) {
        if (limits && (bytes += lstatSync(file).size) > limits.bytes) return undefined;
        files.set(name, readFileSync(file));
      } else if (limits && !entry.isDirectory()) return undefined;
    }
  } finally {
    listing.closeSync();
  }
  return files;
}

/** The digest of the src/ of the exercise in `dir` (or of `exercise`) as it is now. */
export function srcDigest(exercise: Exercise | string): string {
  const dir = typeof exercise === "string" ? exercise : exercise.dir;
  return sourceDigest(filesIn(path.join(dir, LAYOUT.source)));
}

/**
 * Larger than any stub (the eight ship 14 KB at most): a src/ beyond it is someone's work, and is
 * graded without being read here.
 */
const STUB_LIMITS = { entries: 200, bytes: 1024 * 1024 };

/**
 * Whether the exercise's src/ is the stub as shipped: its digest is exercise.json's `stubDigest`
 * (which `sandbox verify` keeps true, and whose grade it proves to be 0). False when the manifest
 * has none.
 */
export function isShippedStub(exercise: Exercise): boolean {
  return isShippedStubIn(exercise, exercise.dir);
}

/**
 * Whether `exerciseDir` (the exercise's own folder, or a submission's `exercises/<slug>/`) has the
 * stub as shipped in src/: its digest is the trusted exercise.json's `stubDigest`. Only a src/ of
 * at most STUB_LIMITS' entries and bytes, holding nothing but folders and regular files, is read;
 * any other is not the stub. False when the manifest has none.
 */
export function isShippedStubIn(exercise: Exercise, exerciseDir: string): boolean {
  const shipped = exercise.manifest.stubDigest;
  if (shipped === undefined) return false;
  const files = filesIn(path.join(exerciseDir, LAYOUT.source), STUB_LIMITS);
  return files !== undefined && files.size > 0 && sourceDigest(files) === shipped;
}

/**
 * Writes src/'s digest into the exercise's `.meta/exercise.json` as `stubDigest` (`sandbox format`,
 * `sandbox new`), changing nothing else in the file's text. Returns whether the file changed.
 */
export function writeStubDigest(dir: string): boolean {
  const file = path.join(dir, LAYOUT.manifest);
  const text = readFileSync(file, "utf8");
  const digest = srcDigest(dir);
  const field = `"stubDigest": "${digest}"`;
  const updated = /"stubDigest":\s*"[^"]*"/.test(text)
    ? text.replace(/"stubDigest":\s*"[^"]*"/, field)
    : /\n(\s*)"stages":/.test(text)
      ? text.replace(/\n(\s*)"stages":/, `\n$1${field},\n$1"stages":`)
      : `${JSON.stringify({ ...JSON.parse(text), stubDigest: digest }, null, 2)}\n`;
  if (updated === text) return false;
  writeFileSync(file, updated);
  return true;
}
