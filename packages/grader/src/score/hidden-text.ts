import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ExerciseResult } from "./grade-result";

/** Shorter lines (`});`, `it("adds", () => {`) say nothing a title does not already say. */
export const MIN_QUOTED_LENGTH = 20;
export const WITHHELD = "message withheld: it quoted a hidden test";

/**
 * The lines of the hidden test files that a report must never carry: every line of every file
 * below `hiddenDir`, trimmed, with runs of whitespace made one space, at least MIN_QUOTED_LENGTH
 * characters long, and not also a line of a visible test file (`visibleFiles`: those are public,
 * and a visible test's code frame quoting its own `import` line must not be withheld).
 */
export function hiddenOnlyLines(
  hiddenDir: string | undefined,
  visibleFiles: readonly string[],
): string[] {
  if (!hiddenDir) return [];
  const visible = new Set(visibleFiles.flatMap((file) => linesOf(file)));
  return [...new Set(filesBelow(hiddenDir).flatMap((file) => linesOf(file)))].filter(
    (line) => !visible.has(line),
  );
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
    return hiddenLines.some((line) => flat.includes(line));
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

function filesBelow(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}
