import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { TRUNCATED } from "./failure-message";
import type { ExerciseResult } from "./grade-result";

/** Shorter lines (`});`, `it("adds", () => {`) say nothing a title does not already say. */
export const MIN_QUOTED_LENGTH = 20;
export const WITHHELD = "message withheld: it quoted a hidden test";

/**
 * The lines of the hidden test files that a report must never carry: every line of every file
 * below `hiddenDir`, trimmed, with runs of whitespace made one space, at least MIN_QUOTED_LENGTH
 * characters long, and not also a line of a public file (`publicFiles`, and every file below the
 * folders among them): the visible tests and their support code, the stub and the reference
 * solution. A visible test's code frame quoting an `import` both share, or the learner's code
 * using an idiom the solution uses too, must not be withheld.
 */
export function hiddenOnlyLines(
  hiddenDir: string | undefined,
  publicFiles: readonly string[],
): string[] {
  if (!hiddenDir) return [];
  const known = new Set(publicFiles.flatMap((file) => filesBelow(file)).flatMap(linesOf));
  return [...new Set(filesBelow(hiddenDir).flatMap(linesOf))].filter((line) => !known.has(line));
}

/**
 * The result with every text that quotes a hidden line replaced by WITHHELD: failure messages of
 * visible and hidden tests alike, and the exercise's reason. Whitespace is compared collapsed, so
 * re-indenting a quote does not hide it. What this cannot catch: a quote encoded or rearranged
 * (base64, reversed, one word per line); sealed runs keep hidden tests out of the learner's reach.
 */
export function withholdHiddenText(result: ExerciseResult, hiddenLines: string[]): ExerciseResult {
  if (hiddenLines.length === 0) return result;
  const quotes = (text: string) => {
    const flat = collapse(text);
    if (hiddenLines.some((line) => flat.includes(line))) return true;
    // A message cut at MAX_MESSAGE_LENGTH may end in the first part of a hidden line.
    if (!text.endsWith(TRUNCATED)) return false;
    const cut = collapse(text.slice(0, -TRUNCATED.length).split("\n").at(-2) ?? "");
    return cut.length >= MIN_QUOTED_LENGTH && hiddenLines.some((line) => line.startsWith(cut));
  };
  return {
    ...result,
    ...(result.reason !== undefined && quotes(result.reason)
      ? { reason: `${result.status === "timeout" ? "timed out; " : ""}${WITHHELD}` }
      : {}),
    stages: result.stages.map((stage) => ({
      ...stage,
      tests: stage.tests.map((test) =>
        test.message !== undefined && quotes(test.message) ? { ...test, message: WITHHELD } : test,
      ),
    })),
  };
}

function linesOf(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .map(collapse)
    .filter((line) => line.length >= MIN_QUOTED_LENGTH);
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The file itself, or every file below a folder; nothing for a path that does not exist. */
function filesBelow(dir: string): string[] {
  try {
    if (statSync(dir).isFile()) return [dir];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}
