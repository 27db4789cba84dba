import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { catalogChecks, addToCatalog, exerciseSlugs } from "../src/exercise/catalog";
import { structureChecks, type Check } from "../src/exercise/structure-checks";
import { skeleton } from "../src/exercise/template";
import { readWrongSolution } from "../src/exercise/wrong-solution-patch";
import { sandbox, scratchDir } from "./run-sandbox";

/** A fresh exercise as `sandbox new` writes it, in its own exercises folder. */
function newExercise(slug = "shop", change: Record<string, string> = {}): string {
  const exercises = scratchDir("structure");
  const dir = path.join(exercises, slug);
  for (const [file, content] of Object.entries({ ...skeleton(slug, "Shop"), ...change })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
const failed = (checks: Check[]) =>
  checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`);

describe("structure checks", () => {
  it("hold for the skeleton of `sandbox new`", () => {
    expect(failed(structureChecks(newExercise()).checks)).toEqual([]);
  });

  it("name a stray file, a missing or renamed README section, and a `void x;` in the stub", () => {
    const skeletonReadme = skeleton("shop", "Shop")["README.md"]!;
    const dir = newExercise("shop", {
      "notes.txt": "scratch",
      ".turbo/turbo-typecheck.log": "what turbo leaves behind is not a stray",
      ".meta/todo.md": "later",
      "README.md": skeletonReadme.replace("## Running", "## How to run"),
      "src/greeting.ts":
        "export function greet(name: string): string {\n  void name;\n  // TODO\n  throw new Error('not implemented');\n}\n",
    });
    expect(failed(structureChecks(dir).checks)).toEqual([
      "holds nothing but the contract's files (README, package.json, tsconfig.json, jest.config.js, src, test, .meta): notes.txt is not part of an exercise; .meta/todo.md is not part of an exercise",
      'README.md has the sections "The interface", "Stages", "Pinned choices", "Standards", "Running" in that order ("Pinned choices" optional): it has "The interface", "Stages", "Standards", "How to run"',
      "the stub has no `void x;` placeholders (lint lets a stub leave parameters unused): src/greeting.ts:2",
    ]);
  });

  it("name points that do not add up to 100 and a test importing a module the stub lacks", () => {
    const manifest = JSON.parse(skeleton("shop", "Shop")[".meta/exercise.json"]!);
    manifest.stages[0].points = 90;
    const dir = newExercise("shop", {
      ".meta/exercise.json": JSON.stringify(manifest),
      ".meta/solution/extra.ts": "export const extra = 1;\n",
      ".meta/hidden/example-stage.extra.test.ts":
        'import { extra } from "#src/extra";\nit("[R1.1] reaches into the solution", () => expect(extra).toBe(1));\n',
    });
    expect(failed(structureChecks(dir).checks)).toEqual([
      "the stages' points add up to 100: they add up to 90",
      "tests import only modules the stub has (#src/<file>): .meta/hidden/example-stage.extra.test.ts imports #src/extra",
    ]);
  });
});

describe("the catalog", () => {
  it("orders the exercises by exercises.json and names what it misses or lists twice", () => {
    const first = newExercise("shop");
    const exercises = path.dirname(first);
    const second = path.join(exercises, "bank");
    mkdirSync(path.join(second, ".meta"), { recursive: true });
    writeFileSync(path.join(second, ".meta/exercise.json"), "{}");
    expect(exerciseSlugs(exercises)).toEqual(["bank", "shop"]); // no catalog yet: sorted
    addToCatalog(exercises, "shop");
    expect(exerciseSlugs(exercises)).toEqual(["shop", "bank"]);
    expect(failed(catalogChecks(exercises))).toEqual([
      "exercises.json lists every exercise once, in the catalog's order: bank is not listed",
    ]);
    addToCatalog(exercises, "bank");
    expect(failed(catalogChecks(exercises))).toEqual([]);
  });

  it("holds the repository README's table to the catalog's order", () => {
    const exercises = path.join(scratchDir("readme-order"), "exercises");
    for (const slug of ["shop", "bank"]) {
      mkdirSync(path.join(exercises, slug, ".meta"), { recursive: true });
      writeFileSync(path.join(exercises, slug, ".meta/exercise.json"), "{}");
      addToCatalog(exercises, slug);
    }
    writeFileSync(
      path.join(exercises, "..", "README.md"),
      "| [bank](exercises/bank/README.md) |\n| [shop](exercises/shop/README.md) |\n",
    );
    expect(failed(catalogChecks(exercises))).toEqual([
      "README.md's table lists the exercises in exercises.json's order: it lists bank, shop",
    ]);
  });
});

describe("sandbox format", () => {
  it("formats an exercise and rewrites its wrong solution's patch to fit the formatted solution", async () => {
    const dir = newExercise("shop", {
      ".meta/solution/greeting.ts":
        "// Reference solution.\nexport function greet(name: string): string {\n    return `Hello, ${name}!`\n}\n",
      ".meta/wrong-solutions/ignores-name.patch": [
        "Hard-codes the visible test's answer.",
        "",
        "--- a/greeting.ts",
        "+++ b/greeting.ts",
        "@@ -1,4 +1,4 @@",
        " // Reference solution.",
        "-export function greet(name: string): string {",
        "-    return `Hello, ${name}!`",
        "+export function greet(_name: string): string {",
        "+    return 'Hello, Ada!'",
        " }",
        "",
      ].join("\n"),
    });
    const run = await sandbox(["format", dir], { SANDBOX_EXERCISES_DIR: path.dirname(dir) });
    expect(run.stdout).toMatch(/1 of 1 wrong-solution patches rewritten/);
    expect(readFileSync(path.join(dir, ".meta/solution/greeting.ts"), "utf8")).toContain(
      "  return `Hello, ${name}!`;\n",
    );
    const wrong = readWrongSolution(dir, "ignores-name");
    expect(wrong.why).toBe("Hard-codes the visible test's answer.");
    expect(wrong.files.get("greeting.ts")).toBe(
      '// Reference solution.\nexport function greet(_name: string): string {\n  return "Hello, Ada!";\n}\n',
    );
  });

  it("--since carries a patch the edited solution no longer fits over from that commit, three-way", async () => {
    const solution = [
      "export function greet(name: string): string {",
      "  const greeting = `Hello, ${name}!`;",
      "  return greeting;",
      "}",
      "",
      "export function part(name: string): string {",
      "  return `Goodbye, ${name}.`;",
      "}",
      "",
    ];
    const dir = newExercise("shop", {
      ".meta/solution/greeting.ts": solution.join("\n"),
      ".meta/wrong-solutions/ignores-name.patch": [
        "Stages: basics",
        "",
        "Hard-codes the visible test's answer.",
        "",
        "--- a/greeting.ts",
        "+++ b/greeting.ts",
        "@@ -1,4 +1,4 @@",
        " export function greet(name: string): string {",
        "-  const greeting = `Hello, ${name}!`;",
        '+  const greeting = "Hello, Ada!";',
        "   return greeting;",
        " }",
        "",
      ].join("\n"),
      ".meta/wrong-solutions/parts-rudely.patch": [
        "Says goodbye rudely.",
        "",
        "--- a/greeting.ts",
        "+++ b/greeting.ts",
        "@@ -6,3 +6,3 @@",
        " export function part(name: string): string {",
        "-  return `Goodbye, ${name}.`;",
        "+  return `Go away, ${name}.`;",
        " }",
        "",
      ].join("\n"),
    });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], {
        cwd: dir,
        stdio: "pipe",
      });
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "exercise");
    // The solution changes around the bug (a comment right above its line) and further down.
    const edited = [...solution];
    edited.splice(1, 0, "  // Stryker disable next-line StringLiteral: prose");
    edited[7] = "  return `Goodbye, ${name}!`;";
    writeFileSync(path.join(dir, ".meta/solution/greeting.ts"), edited.join("\n"));
    expect(() => readWrongSolution(dir, "ignores-name")).toThrow(/no longer applies/);
    const env = { SANDBOX_EXERCISES_DIR: path.dirname(dir) };

    const run = await sandbox(["format", dir, "--since", "HEAD"], env);
    // The code of the line parts-rudely changes changed too: that patch cannot be carried over.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^shop\/ignores-name: carried over from the solution at HEAD; greeting\.ts: the bug's lines kept beside new comments \(check the patch\)$/m,
    );
    expect(run.stdout).toMatch(
      /^shop\/parts-rudely: left as it is: wrong solution parts-rudely: cannot be carried over from HEAD: in greeting\.ts the bug and the solution's code changed the same lines; write the patch again/m,
    );
    expect(run.stdout).toMatch(
      /1 of 2 wrong-solution patches rewritten; 1 left to write again by hand$/m,
    );
    expect(() => readWrongSolution(dir, "parts-rudely")).toThrow(/no longer applies/);
    const wrong = readWrongSolution(dir, "ignores-name");
    expect(wrong.stages).toEqual(["basics"]);
    expect(wrong.files.get("greeting.ts")).toContain('const greeting = "Hello, Ada!";');
    expect(wrong.files.get("greeting.ts")).toContain("return `Goodbye, ${name}!`;");

    const bad = await sandbox(["format", dir, "--since", "no-such-rev"], env);
    expect({ code: bad.code, stderr: bad.stderr.trim() }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/^sandbox: --since no-such-rev: not a commit of \//),
    });
  });
});
