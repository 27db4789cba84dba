import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { applyPatch, parsePatch, type StructuredPatch, type StructuredPatchHunk } from "diff";

/**
 * A wrong solution is one file, `.meta/wrong-solutions/<bug>.patch`: prose saying why the code is
 * wrong, then a unified diff against `.meta/solution/` with paths `a/<file>` and `b/<file>`, as
 * `diff -u --label` or `git diff --no-index --no-prefix a b` write it (see
 * docs/authoring-an-exercise.md). The bug reads as a diff, and a patch the solution has moved away
 * from is an error, never a silent drift: context must match exactly (no fuzz; a hunk may only
 * shift when lines above it were added or removed, as with `patch --fuzz=0`).
 */
export interface WrongSolution {
  bug: string;
  /** The preamble: the text before the diff, saying why the code is wrong. */
  why: string;
  /**
   * The stages whose hidden tests must catch it, from a first preamble line
   * `Stages: <id>, <id>`; verify grades it on those stages' hidden tests alone. Empty when the
   * patch declares none (then every hidden test runs).
   */
  stages: string[];
  /**
   * The README rules the bug breaks, from a preamble line `Breaks: R4.1, R1.2` (after `Stages:`,
   * if any). Verify runs first the hidden test files that cite one of them, so the grading, which
   * stops at its first failing test, mostly runs one file. Empty when the patch names none.
   */
  breaks: string[];
  /** Each patched file (relative to the solution) → its new text, or null if deleted. */
  files: Map<string, string | null>;
  /** The files whose text the patch really changes. */
  changed: string[];
}

/** A patch that is missing, malformed or no longer applies; names the bug, file and hunk. */
export class WrongSolutionError extends Error {
  override name = "WrongSolutionError";
  constructor(
    readonly bug: string,
    readonly problem: string,
  ) {
    super(`wrong solution ${bug}: ${problem}`);
  }
}

const FOLDER = path.join(".meta", "wrong-solutions");

/** The bugs of an exercise: its `.meta/wrong-solutions/*.patch` file names, sorted. */
export function wrongSolutionBugs(exerciseDir: string): string[] {
  const folder = path.join(exerciseDir, FOLDER);
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".patch"))
    .map((entry) => entry.name.slice(0, -".patch".length))
    .sort();
}

/**
 * Reads `<bug>.patch` and applies it, in memory, to the exercise's `.meta/solution/`, or to the
 * solution `solutionFile` reads (a file's text by its path in the solution, null if absent: the
 * solution as an earlier commit held it, for `sandbox format --since`).
 */
export function readWrongSolution(
  exerciseDir: string,
  bug: string,
  solutionFile?: (name: string) => string | null,
): WrongSolution {
  const fail = (problem: string) => new WrongSolutionError(bug, problem);
  const file = path.join(exerciseDir, FOLDER, `${bug}.patch`);
  if (!existsSync(file)) throw fail(`no ${path.join(FOLDER, `${bug}.patch`)}`);
  const lines = readFileSync(file, "utf8").split("\n");
  // The preamble ends where the diff starts: its first `--- ` line, or a `diff --git` or
  // `diff -u ...` line above it.
  const start = lines.findIndex((line) => /^(--- |diff --git |diff -)/.test(line));
  if (start === -1) throw fail("has no diff (no line starts with `--- `)");
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(lines.slice(start).join("\n"));
  } catch (error) {
    throw fail(`is not a unified diff: ${(error as Error).message}`);
  }

  const solutionDir = path.join(exerciseDir, ".meta", "solution");
  const original =
    solutionFile ??
    ((name: string): string | null => {
      const target = path.join(solutionDir, name);
      return existsSync(target) ? readFileSync(target, "utf8") : null;
    });
  const files = new Map<string, string | null>();
  for (const patch of patches) {
    if (patch.oldFileName === undefined && patch.hunks.length === 0) continue;
    const before = pathIn(patch.oldFileName, "a/", fail);
    const after = pathIn(patch.newFileName, "b/", fail);
    if (before !== null && after !== null && before !== after)
      throw fail(`renames a/${before} to b/${after}; a patch may only edit, add or delete files`);
    const name = (after ?? before)!;
    const current = files.has(name) ? files.get(name)! : original(name);
    if (before === null && current !== null)
      throw fail(`adds ${name}, which .meta/solution/ already has`);
    if (before !== null && current === null)
      throw fail(`edits ${name}, which is not in .meta/solution/`);
    const text = applyStrictly(current ?? "", patch);
    if (typeof text === "object") {
      const { index, hunk } = text;
      throw fail(
        `hunk ${index} of ${name} (${hunkHeader(hunk)}) no longer applies to ` +
          `.meta/solution/${name}; write the patch again (docs/authoring-an-exercise.md)`,
      );
    }
    files.set(name, after === null ? null : text);
  }
  if (files.size === 0) throw fail("has no diff (no `--- a/<file>` / `+++ b/<file>` pair)");
  const changed = [...files].filter(([name, text]) => text !== original(name)).map(([n]) => n);
  const { stages, breaks, why } = readPreamble(lines.slice(0, start));
  return { bug, why, stages, breaks, files, changed };
}

const HEADER_LINE = /^(Stages|Breaks):\s*(.*)$/;

/**
 * The preamble's header lines (`Stages: a, b` then `Breaks: R1.2, R3.4`, each optional, where the
 * preamble opens) and the prose after them.
 */
function readPreamble(lines: string[]): Pick<WrongSolution, "stages" | "breaks" | "why"> {
  const header: Record<string, string[]> = {};
  let line = lines.findIndex((text) => text.trim() !== "");
  for (let match; line >= 0 && (match = HEADER_LINE.exec(lines[line]?.trim() ?? "")); line++)
    header[match[1]!] = match[2]!
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  return {
    stages: header.Stages ?? [],
    breaks: header.Breaks ?? [],
    why: lines.slice(Math.max(line, 0)).join("\n").trim(),
  };
}

/** The preamble as a patch file holds it: the header lines (if any), a blank line, the prose. */
export function preambleOf(wrong: Pick<WrongSolution, "stages" | "breaks" | "why">): string {
  const header = [
    ...(wrong.stages.length > 0 ? [`Stages: ${wrong.stages.join(", ")}`] : []),
    ...(wrong.breaks.length > 0 ? [`Breaks: ${wrong.breaks.join(", ")}`] : []),
  ];
  return header.length > 0 ? `${header.join("\n")}\n\n${wrong.why}` : wrong.why;
}

/** `a/<file>` → `<file>`, `/dev/null` → null; refuses paths that leave the solution folder. */
function pathIn(
  name: string | undefined,
  prefix: string,
  fail: (problem: string) => Error,
): string | null {
  if (name === "/dev/null") return null;
  const relative = name?.startsWith(prefix) ? name.slice(prefix.length) : "";
  const inside =
    relative !== "" &&
    !path.posix.isAbsolute(relative) &&
    path.posix.normalize(relative) === relative &&
    !relative.startsWith("../");
  if (!inside)
    throw fail(`file name "${name ?? ""}" must be ${prefix}<path in .meta/solution/> or /dev/null`);
  return relative;
}

/**
 * Applies with no fuzz. jsdiff only says whether the whole patch applies, so on failure the
 * hunks are tried as growing prefixes: the first prefix that fails ends with the culprit.
 */
function applyStrictly(
  source: string,
  patch: StructuredPatch,
): string | { index: number; hunk: StructuredPatchHunk } {
  const text = applyPatch(source, patch, { fuzzFactor: 0 });
  if (text !== false) return text;
  for (let count = 1; count <= patch.hunks.length; count++)
    if (applyPatch(source, { ...patch, hunks: patch.hunks.slice(0, count) }) === false)
      return { index: count, hunk: patch.hunks[count - 1]! };
  return { index: patch.hunks.length, hunk: patch.hunks[patch.hunks.length - 1]! };
}

function hunkHeader(hunk: StructuredPatchHunk): string {
  return `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
}
