import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync } from "node:fs";
import { readdirSync, readSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";

/**
 * Caps on what a submission's `src/` may hold (docs/grading.md, "Which code is graded"). A real
 * `src/` of any exercise is a few dozen files and well under 1 MiB.
 */
export const SOURCE_CAPS = {
  /** Files and folders together, so a million empty folders is refused like a million files. */
  maxEntries: 1_000,
  /** Sum of the regular files' sizes, in bytes (10 MiB). */
  maxBytes: 10 * 1024 * 1024,
  /** Folders below `src/` itself. */
  maxDepth: 16,
};

export type CopyOutcome =
  { ok: true; entries: number; bytes: number } | { ok: false; timedOut: boolean; reason: string };

interface PlannedEntry {
  /** Path below the source folder, as bytes: names are never decoded for file system calls. */
  from: Buffer;
  to: string;
  kind: "dir" | "file";
  size: number;
}

/** Raised inside the walk; turned into a `{ ok: false }` outcome, never out of copySource. */
class Refused extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/**
 * Copies a submission's `src/` folder `from` into `to`, in two passes: first every entry is
 * lstat'ed (nothing read) and checked against SOURCE_CAPS, then the regular files are copied,
 * each read only up to the size lstat gave (a 10 GiB sparse file is refused on its size, at no
 * cost). Refused, with a one-line reason that names the entry as `src/<path>` (bytes that are not
 * printable UTF-8 shown as `\xNN`): a name that is not valid UTF-8 or holds control characters, a
 * symlink, fifo, socket or device, anything past a cap, and passing `deadline` (epoch ms: the
 * exercise's time limit, whose clock started before the copy). Never throws for what `from` holds.
 */
export function copySource(from: string, to: string, deadline = Infinity): CopyOutcome {
  try {
    const planned = planCopy(from, to, deadline);
    let bytes = 0;
    for (const entry of planned) {
      if (Date.now() > deadline) throw new Refused("copying src/ took the whole time limit", true);
      if (entry.kind === "dir") mkdirSync(entry.to, { recursive: true });
      else bytes += copyFileUpTo(entry, from);
    }
    return { ok: true, entries: planned.length, bytes };
  } catch (error) {
    if (error instanceof Refused)
      return { ok: false, timedOut: error.timedOut, reason: error.message };
    return { ok: false, timedOut: false, reason: `src/ could not be copied: ${oneLine(error)}` };
  }
}

/** Every entry below `from`, parents before children, checked against the caps. */
function planCopy(from: string, to: string, deadline: number): PlannedEntry[] {
  const planned: PlannedEntry[] = [];
  let bytes = 0;
  const walk = (relative: Buffer[], depth: number) => {
    const dir = joinBytes(from, relative);
    for (const name of readdirSync(dir, { encoding: "buffer" }).sort(Buffer.compare)) {
      const parts = [...relative, name];
      const shown = `src/${parts.map(escapeName).join("/")}`;
      if (!isPrintableUtf8(name))
        throw new Refused(`${shown}: a file name must be printable UTF-8 (it cannot be imported)`);
      if (planned.length >= SOURCE_CAPS.maxEntries)
        throw new Refused(`src/ holds more than ${SOURCE_CAPS.maxEntries} files and folders`);
      if (Date.now() > deadline) throw new Refused("copying src/ took the whole time limit", true);
      const source = joinBytes(from, parts);
      const target = path.join(to, ...parts.map((p) => p.toString("utf8")));
      const stat = lstatSync(source);
      if (stat.isDirectory()) {
        if (depth >= SOURCE_CAPS.maxDepth)
          throw new Refused(`${shown}: src/ is nested deeper than ${SOURCE_CAPS.maxDepth} folders`);
        planned.push({ from: Buffer.concat(joinParts(parts)), to: target, kind: "dir", size: 0 });
        walk(parts, depth + 1);
      } else if (stat.isFile()) {
        bytes += stat.size;
        if (bytes > SOURCE_CAPS.maxBytes)
          throw new Refused(
            `${shown}: src/ holds more than ${SOURCE_CAPS.maxBytes / 1024 / 1024} MiB (this file alone is ${stat.size} bytes)`,
          );
        planned.push({
          from: Buffer.concat(joinParts(parts)),
          to: target,
          kind: "file",
          size: stat.size,
        });
      } else {
        throw new Refused(`${shown} is a ${kindOf(stat)}; src/ may hold only files and folders`);
      }
    }
  };
  walk([], 0);
  return planned;
}

/** Copies one planned file, reading at most its planned size; returns the bytes copied. */
function copyFileUpTo(entry: PlannedEntry, from: string): number {
  // O_NOFOLLOW and O_NONBLOCK: a file swapped for a symlink or fifo after planning is refused,
  // never followed or waited on.
  const fd = openSync(
    Buffer.concat([Buffer.from(from + path.sep), entry.from]),
    constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  );
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== entry.size)
      throw new Refused(`src/${escapeName(entry.from)} changed while it was copied`);
    const content = Buffer.alloc(entry.size);
    let read = 0;
    while (read < entry.size) {
      const n = readSync(fd, content, read, entry.size - read, read);
      if (n === 0) break;
      read += n;
    }
    writeFileSync(entry.to, content.subarray(0, read));
    return read;
  } finally {
    closeSync(fd);
  }
}

function joinParts(parts: Buffer[]): Buffer[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from(path.sep), part]));
}

function joinBytes(root: string, parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(root), ...parts.flatMap((p) => [Buffer.from(path.sep), p])]);
}

/** A name is kept only if it decodes as UTF-8 and has no control characters. */
function isPrintableUtf8(name: Buffer): boolean {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(name);
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    return !/[\u0000-\u001f\u007f-\u009f]/.test(text);
  } catch {
    return false;
  }
}

/**
 * A name as it may appear in a reason: printable ASCII as is, other valid UTF-8 letters as is,
 * every other byte (invalid UTF-8, control characters, backslash) as `\xNN`.
 */
export function escapeName(name: Buffer): string {
  let shown = "";
  for (const byte of name) {
    shown +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return isPrintableUtf8(name) && !name.includes(0x5c) ? name.toString("utf8") : shown;
}

function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return "symlink";
  if (stat.isFIFO()) return "fifo";
  if (stat.isSocket()) return "socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "device";
  return "special file";
}

function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0]!;
}
