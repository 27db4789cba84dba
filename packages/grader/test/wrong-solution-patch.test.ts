import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { structureChecks } from "../src/exercise/structure-checks";
import {
  preambleOf,
  readWrongSolution,
  wrongSolutionBugs,
} from "../src/exercise/wrong-solution-patch";
import { FIXTURES, scratchDir } from "./run-sandbox";

/** A copy of the `partial` fixture (solution: `add` in math.ts) with the given wrong solutions. */
function exerciseWith(patches: Record<string, string>): string {
  const dir = path.join(scratchDir("wrong-patch"), "partial");
  cpSync(path.join(FIXTURES, "partial"), dir, { recursive: true });
  for (const [name, text] of Object.entries(patches)) {
    const file = path.join(dir, ".meta/wrong-solutions", name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

const DROPS_THE_SIGN = `Drops the sign.

--- a/math.ts
+++ b/math.ts
@@ -1,3 +1,3 @@
 export function add(a: number, b: number): number {
-  return a + b;
+  return Math.abs(a) + Math.abs(b);
 }
`;

describe("a wrong solution patch", () => {
  it("applies to the solution, and its preamble says why", () => {
    const wrong = readWrongSolution(
      exerciseWith({ "drops-sign.patch": DROPS_THE_SIGN }),
      "drops-sign",
    );
    expect(wrong.why).toBe("Drops the sign.");
    expect(wrong.changed).toEqual(["math.ts"]);
    expect(wrong.files.get("math.ts")).toBe(
      "export function add(a: number, b: number): number {\n  return Math.abs(a) + Math.abs(b);\n}\n",
    );
  });

  it("reads its Stages: and Breaks: lines apart from the why, and writes them back as they were", () => {
    const patch = `Stages: basics, negatives\nBreaks: R2.1, R1.3\n\nDrops the sign.\n\n${DROPS_THE_SIGN.split("\n\n")[1]}`;
    const wrong = readWrongSolution(exerciseWith({ "drops-sign.patch": patch }), "drops-sign");
    expect(wrong).toMatchObject({
      stages: ["basics", "negatives"],
      breaks: ["R2.1", "R1.3"],
      why: "Drops the sign.",
    });
    expect(preambleOf(wrong)).toBe(
      "Stages: basics, negatives\nBreaks: R2.1, R1.3\n\nDrops the sign.",
    );
    const plain = readWrongSolution(
      exerciseWith({ "drops-sign.patch": DROPS_THE_SIGN }),
      "drops-sign",
    );
    expect([plain.stages, plain.breaks, preambleOf(plain)]).toEqual([[], [], "Drops the sign."]);
  });

  it("takes git diff --no-index --no-prefix output, and can add a file", () => {
    const patch = `Adds a helper that answers wrongly.

diff --git a/math.ts b/math.ts
index 1111111..2222222 100644
--- a/math.ts
+++ b/math.ts
@@ -1,3 +1,4 @@
+import { plus } from "./plus";
 export function add(a: number, b: number): number {
-  return a + b;
+  return plus(a, b);
 }
diff --git a/plus.ts b/plus.ts
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/plus.ts
@@ -0,0 +1 @@
+export const plus = (a: number, b: number) => a - b;
`;
    const wrong = readWrongSolution(exerciseWith({ "helper.patch": patch }), "helper");
    expect(wrong.changed.sort()).toEqual(["math.ts", "plus.ts"]);
    expect(wrong.files.get("plus.ts")).toBe(
      "export const plus = (a: number, b: number) => a - b;\n",
    );
    expect(wrong.files.get("math.ts")).toMatch(
      /^import \{ plus \}.*\n.*\n {2}return plus\(a, b\);/,
    );
  });

  it("does not apply with fuzz: one changed context line is an error naming bug, file and hunk", () => {
    const drifted = DROPS_THE_SIGN.replace(" export function add", " export function sum");
    const dir = exerciseWith({ "drops-sign.patch": drifted });
    expect(() => readWrongSolution(dir, "drops-sign")).toThrow(
      "wrong solution drops-sign: hunk 1 of math.ts (@@ -1,3 +1,3 @@) no longer applies to .meta/solution/math.ts",
    );
  });

  it("may only touch files inside the solution folder", () => {
    const escape = DROPS_THE_SIGN.replace("a/math.ts", "a/../math.ts").replace(
      "b/math.ts",
      "b/../math.ts",
    );
    const dir = exerciseWith({ "escape.patch": escape });
    expect(() => readWrongSolution(dir, "escape")).toThrow(
      /must be a\/<path in \.meta\/solution\/>/,
    );
  });

  it("is listed by its .patch file name, sorted, and nothing else is", () => {
    const dir = exerciseWith({
      "zeta.patch": DROPS_THE_SIGN,
      "alpha.patch": DROPS_THE_SIGN,
      "notes.md": "not a bug",
    });
    expect(wrongSolutionBugs(dir)).toEqual(["alpha", "ignores-sign", "zeta"]);
  });
});

describe("the structure checks of wrong solutions", () => {
  const failed = (dir: string) =>
    structureChecks(dir)
      .checks.filter((check) => !check.ok && /wrong/.test(check.what))
      .map((check) => `${check.what}: ${check.detail}`);

  it("pass for patches that say why, apply and change the solution", () => {
    expect(failed(exerciseWith({ "drops-sign.patch": DROPS_THE_SIGN }))).toEqual([]);
  });

  it("name the bug whose patch no longer applies, and the hunk", () => {
    const drifted = DROPS_THE_SIGN.replace("-  return a + b;", "-  return a + b + 0;");
    expect(failed(exerciseWith({ "drops-sign.patch": drifted }))).toEqual([
      "wrong solution drops-sign says why, applies to .meta/solution/ and changes it: hunk 1 of math.ts (@@ -1,3 +1,3 @@) no longer applies to .meta/solution/math.ts; write the patch again (docs/authoring-an-exercise.md)",
    ]);
  });

  it("refuse a patch without a why, one that changes nothing, and a leftover overlay folder", () => {
    const noWhy = DROPS_THE_SIGN.slice(DROPS_THE_SIGN.indexOf("---"));
    const noChange = "Changes nothing.\n\n--- a/math.ts\n+++ b/math.ts\n";
    expect(
      failed(
        exerciseWith({
          "no-why.patch": noWhy,
          "no-change.patch": noChange,
          "old-style/math.ts": "export const add = () => 0;\n",
        }),
      ),
    ).toEqual([
      ".meta/wrong-solutions/ holds only <bug>.patch files: old-style/ is a folder: make it old-style.patch, a diff against .meta/solution/",
      "wrong solution no-change says why, applies to .meta/solution/ and changes it: the patch applies but changes nothing",
      "wrong solution no-why says why, applies to .meta/solution/ and changes it: no text before the diff says why the code is wrong",
    ]);
  });
});
