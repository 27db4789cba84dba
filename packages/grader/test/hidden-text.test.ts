import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ExerciseResult } from "../src/index";
import { cleanMessage, MAX_MESSAGE_LENGTH, TRUNCATED } from "../src/score/failure-message";
import { hiddenOnlyLines, WITHHELD, withholdHiddenText } from "../src/score/hidden-text";
import { failedExercise } from "./failed-exercise";
import { scratchDir } from "./run-sandbox";

const HIDDEN_SOURCE = `import { add } from "#src/math";

describe("negatives", () => {
  it("adds a negative number to a positive one", () => {
    expect(add(-40, 2)).toBe(-38);
  });
});
`;
const VISIBLE_SOURCE = `import { add } from "#src/math";

it("adds", () => expect(add(1, 2)).toBe(3));
`;

function exercise(): { hiddenDir: string; visible: string } {
  const root = scratchDir("hidden-text");
  const hiddenDir = path.join(root, "hidden");
  mkdirSync(hiddenDir);
  writeFileSync(path.join(hiddenDir, "negatives.test.ts"), HIDDEN_SOURCE);
  writeFileSync(path.join(root, "basics.test.ts"), VISIBLE_SOURCE);
  return { hiddenDir, visible: path.join(root, "basics.test.ts") };
}

const withMessage = (message: string, reason?: string): ExerciseResult =>
  failedExercise({
    slug: "partial",
    status: reason ? "error" : "failed",
    reason,
    test: { message },
  });

describe("hidden test text in reports", () => {
  it("knows the hidden lines worth hiding, but not those a visible test shares", () => {
    const { hiddenDir, visible } = exercise();
    expect(hiddenOnlyLines(hiddenDir, [visible])).toEqual([
      'describe("negatives", () => {',
      'it("adds a negative number to a positive one", () => {',
      "expect(add(-40, 2)).toBe(-38);",
    ]);
  });

  it("withholds a visible test's message that quotes a hidden test, re-indented or not", () => {
    const { hiddenDir, visible } = exercise();
    const lines = hiddenOnlyLines(hiddenDir, [visible]);
    const thrown = `Error: look:\n${HIDDEN_SOURCE.replace(/^ +/gm, "\t")}`;
    const result = withholdHiddenText(withMessage(thrown, `broken: ${HIDDEN_SOURCE}`), lines);
    expect(result.stages[0]!.tests[0]!.message).toBe(WITHHELD);
    expect(result.reason).toBe(WITHHELD);
    expect(JSON.stringify(result)).not.toContain("toBe(-38)");
  });

  it("withholds a message cut in the middle of a hidden line", () => {
    const { hiddenDir, visible } = exercise();
    const cut = cleanMessage(
      `${"x".repeat(MAX_MESSAGE_LENGTH - 30)}\n  it("adds a negative number to a positive one", () => {`,
    );
    expect(cut).toMatch(/\n {2}it\("adds a negative[^\n]*\n… \(truncated\)$/);
    const result = withholdHiddenText(withMessage(cut), hiddenOnlyLines(hiddenDir, [visible]));
    expect(result.stages[0]!.tests[0]!.message).toBe(WITHHELD);
  });

  it("keeps a message that quotes only a visible test", () => {
    const { hiddenDir, visible } = exercise();
    const message = `  > 3 | import { add } from "#src/math";\nExpected: 3\nReceived: 4`;
    const result = withholdHiddenText(withMessage(message), hiddenOnlyLines(hiddenDir, [visible]));
    expect(result.stages[0]!.tests[0]!.message).toBe(message);
  });
});

describe("visible test messages", () => {
  it(`are cut at ${MAX_MESSAGE_LENGTH} characters, and say so`, () => {
    const message = cleanMessage("x".repeat(50_000));
    expect(message).toBe(`${"x".repeat(MAX_MESSAGE_LENGTH)}\n${TRUNCATED}`);
    expect(TRUNCATED).toBe("… (truncated)");
  });
});
