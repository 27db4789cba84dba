import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { everyRun } from "../src/score/verify-checks";
import { FIXTURES, sandbox, scratchDir } from "./run-sandbox";

describe("everyRun", () => {
  it("holds a check only if it held in every run, and counts the runs it failed in", () => {
    const joined = everyRun([
      [
        { ok: true, what: "solution passes a › steady" },
        { ok: true, what: "solution passes a › flaky" },
        { ok: true, what: "solution scores the maximum (10 / 10)" },
      ],
      [
        { ok: true, what: "solution passes a › steady" },
        { ok: false, what: "solution passes a › flaky", detail: "expected 1, got 2" },
        { ok: false, what: "solution scores the maximum (9 / 10)" },
      ],
      [
        { ok: true, what: "solution passes a › steady" },
        { ok: true, what: "solution passes a › flaky" },
        { ok: true, what: "solution scores the maximum (10 / 10)" },
      ],
    ]);
    expect(joined).toEqual([
      { ok: true, what: "solution passes a › steady in all 3 runs" },
      {
        ok: false,
        what: "solution passes a › flaky",
        detail: "failed in 1 of 3 runs; first: expected 1, got 2",
      },
      { ok: false, what: "solution scores the maximum", detail: "failed in 1 of 3 runs" },
    ]);
  });
});

describe("sandbox new, then sandbox verify", () => {
  const exercises = scratchDir("new");
  const results = scratchDir("results");

  it("scaffolds an exercise that verify passes: structure, solution 100%, stub 0, wrong solution caught", async () => {
    const created = await sandbox(["new", "url-shortener"], { SANDBOX_EXERCISES_DIR: exercises });
    expect(created.code).toBe(0);
    expect(readFileSync(path.join(exercises, "url-shortener/src/greeting.ts"), "utf8")).toContain(
      "// TODO",
    );
    expect(
      readFileSync(
        path.join(exercises, "url-shortener/.meta/wrong-solutions/ignores-name.patch"),
        "utf8",
      ),
    ).toContain("--- a/greeting.ts\n+++ b/greeting.ts\n");

    const verify = await sandbox(["verify", "url-shortener"], {
      SANDBOX_EXERCISES_DIR: exercises,
      SANDBOX_RESULTS_DIR: results,
    });
    expect(verify.stdout).toMatch(/wrong solution ignores-name is caught by example-stage/);
    expect(verify.stdout).toMatch(/verify: \d+ checks passed, 0 failed/);
    expect(verify.code).toBe(0);
    const counts = JSON.parse(readFileSync(path.join(results, "verify.json"), "utf8"));
    expect(counts).toMatchObject({ name: "verify", failed: 0, failures: [] });
    expect(counts.passed).toBeGreaterThan(20);
  });

  it("grades the solution n times with --repeat and says every test held in all of them", async () => {
    const verify = await sandbox(["verify", "url-shortener", "--repeat", "2"], {
      SANDBOX_EXERCISES_DIR: exercises,
    });
    expect(verify.stdout + verify.stderr).toMatch(/url-shortener \(solution\) \(2\/2\)/);
    expect(verify.stdout).toMatch(/✓ 2 of 2 solution runs scored the maximum/);
    expect(verify.stdout).toMatch(/verify: \d+ checks passed, 0 failed/);
    expect(verify.code).toBe(0);
    const bad = await sandbox(["verify", "--repeat", "1.5"], { SANDBOX_EXERCISES_DIR: exercises });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--repeat wants a whole number/);
  });

  it("refuses an existing or badly named slug with exit 2", async () => {
    expect(
      (await sandbox(["new", "url-shortener"], { SANDBOX_EXERCISES_DIR: exercises })).code,
    ).toBe(2);
    const bad = await sandbox(["new", "Bad_Name"], { SANDBOX_EXERCISES_DIR: exercises });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kebab-case/);
  });

  it("fails when the stub passes a hidden test, names that test, and flags a drifted template", async () => {
    const copy = scratchDir("verify-bad");
    cpSync(path.join(exercises, "url-shortener"), path.join(copy, "url-shortener"), {
      recursive: true,
    });
    cpSync(
      path.join(copy, "url-shortener/.meta/solution/greeting.ts"),
      path.join(copy, "url-shortener/src/greeting.ts"),
    );
    writeFileSync(path.join(copy, "url-shortener/jest.config.js"), "module.exports = {};\n");
    const verify = await sandbox(["verify"], { SANDBOX_EXERCISES_DIR: copy });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      /✗ stub fails hidden test example-stage › example stage › \[R1\.1\] greets any name, not only the one in the visible test: hidden\/example-stage\.test\.ts passes against the stub/,
    );
    expect(verify.stdout).toMatch(/✗ jest.config.js matches the template/);
    expect(verify.stdout).toMatch(/✗ the stub in src\/ has a \/\/ TODO/);
  });

  it("reports a wrong solution that is not caught", async () => {
    const copy = scratchDir("verify-uncaught");
    cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
    writeFileSync(
      path.join(copy, "partial/.meta/wrong-solutions/ignores-sign.patch"),
      [
        "Adds only a comment, which no test can see.",
        "",
        "--- a/math.ts",
        "+++ b/math.ts",
        "@@ -1,3 +1,4 @@",
        "+// A comment changes nothing a test can observe.",
        " export function add(a: number, b: number): number {",
        "   return a + b;",
        " }",
        "",
      ].join("\n"),
    );
    const results = scratchDir("results-uncaught");
    // That wrong solution alone: the solution and the stub would add two gradings and no check.
    const verify = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sign"], {
      SANDBOX_EXERCISES_DIR: copy,
      SANDBOX_RESULTS_DIR: results,
    });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      /✗ wrong solution ignores-sign is caught: it passes every test, 30 \/ 30/,
    );
    // CI may keep only the end of its log, where the totals are: they name what failed.
    const counts = JSON.parse(readFileSync(path.join(results, "verify.json"), "utf8"));
    expect(counts.failures).toContain(
      "partial: wrong solution ignores-sign is caught: it passes every test, 30 / 30",
    );
    expect(verify.stdout).toMatch(/✗ has package.json/);
  });

  it("grades side by side with --jobs, each wrong solution in a copy of its own, and reports as one at a time does", async () => {
    // Two more wrong solutions of one exercise, graded at the same time: a shared copy would mix them.
    const copy = partialWith("verify-jobs", [
      ["always-zero", "return 0;"],
      ["subtracts", "return a - b;"],
    ]);
    cpSync(path.join(FIXTURES, "passing"), path.join(copy, "passing"), { recursive: true });
    const env = { SANDBOX_EXERCISES_DIR: copy };
    const [one, three] = await Promise.all([
      sandbox(["verify", "partial", "passing", "--jobs", "1"], env),
      sandbox(["verify", "partial", "passing", "--jobs", "3"], env),
    ]);
    expect(three.stdout).toMatch(/^grading 3 at a time \(--jobs\)$/m);
    // Every exercise's solution and stub start before any wrong solution (the longest first).
    expect(gradingsStarted(one)).toEqual([
      "partial (solution)",
      "partial (stub)",
      "passing (solution)",
      "passing (stub)",
      "partial (wrong solution always-zero)",
      "partial (wrong solution ignores-sign)",
      "partial (wrong solution subtracts)",
    ]);
    // The same checks in the same order; only the progress and the times may differ.
    expect(checksOf(three)).toEqual(checksOf(one));
    expect(one.stdout).toMatch(
      /^ {2}cost: 5 gradings, \d+ s of grading \(solution \d+ s, stub \d+ s, 3 wrong solutions \d+ s\)$/m,
    );
    for (const bug of ["ignores-sign", "always-zero", "subtracts"])
      expect(three.stdout).toMatch(new RegExp(`✓ wrong solution ${bug} is caught`));
    expect((await sandbox(["verify", "--jobs", "0"], env)).stderr).toMatch(
      /--jobs wants a number from 1 to 64; got "0"/,
    );
    const workers = await sandbox(["verify", "partial", "--jest-workers", "1.5"], env);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--jest-workers wants a whole number of test files; got "1.5"/);
  });

  it("grades wrong solutions in one Jest process as one at a time does: each stops at its own first failure, an uncaught one is named", async () => {
    // Caught in the first file (basics), caught in the second only (ignores-sign), never caught.
    const copy = partialWith("verify-batch", [
      ["always-zero", "return 0;"],
      ["comment-only", "return a + b; // a comment no test can see"],
      ["subtracts", "return a - b;"],
    ]);
    const env = { SANDBOX_EXERCISES_DIR: copy };
    const bugs = ["always-zero", "comment-only", "ignores-sign", "subtracts"].join(",");
    const verify = (batch: string) =>
      sandbox(
        ["verify", "partial", "--wrong-solution", bugs, "--jobs", "1", "--batch", batch],
        env,
      );
    const [batched, alone] = [await verify("4"), await verify("1")];
    expect(checksOf(batched)).toEqual(checksOf(alone));
    expect(batched.code).toBe(1);
    expect(batched.stdout).toMatch(
      /✗ wrong solution comment-only is caught: it passes every test, 30 \/ 30/,
    );
    expect(batched.stdout).toMatch(
      /✓ wrong solution always-zero is caught by basics \(1 of 1 tests run\)/,
    );
    expect(batched.stdout).toMatch(/✓ wrong solution ignores-sign is caught by negatives/);
    expect((await verify("0")).stderr).toMatch(/--batch wants a number from 1 to 64; got "0"/);
  });

  it("grades a wrong solution on the stages its patch declares only, and it must be caught there", async () => {
    const copy = scratchDir("verify-stages");
    cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
    const patch = path.join(copy, "partial/.meta/wrong-solutions/ignores-sign.patch");
    const body = readFileSync(patch, "utf8");
    writeFileSync(patch, `Stages: negatives\n\n${body}`);
    const right = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sign"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(right.stdout).toMatch(
      /✓ wrong solution ignores-sign is caught by negatives \(1 of 1 tests run\): /,
    );
    expect(right.stdout).not.toMatch(/basics/); // the stage not declared did not run
    writeFileSync(patch, `Stages: basics\n\n${body}`);
    const wrong = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sign"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(wrong.stdout).toMatch(
      /✗ wrong solution ignores-sign is caught in the stages it declares \(basics\): it passes every one of those tests/,
    );
    const everyStage = await sandbox(
      ["verify", "partial", "--wrong-solution", "ignores-sign", "--all-stages"],
      { SANDBOX_EXERCISES_DIR: copy },
    );
    expect(everyStage.stdout).toMatch(
      /✓ wrong solution ignores-sign is caught by negatives \(3 of 3 tests\), 10 \/ 30/,
    );
    // The run stops at its first failing test, the files in path order: of two stages that would
    // both catch it, only the first ran, and of its two failing tests only the first;
    // --all-stages runs them all.
    writeFileSync(
      path.join(copy, "partial/.meta/wrong-solutions/always-zero.patch"),
      "Stages: basics, negatives\n\nWrong on purpose.\n\n--- a/math.ts\n+++ b/math.ts\n@@ -1,3 +1,3 @@\n export function add(a: number, b: number): number {\n-  return a + b;\n+  return 0;\n }\n",
    );
    const zero = (...extra: string[]) =>
      sandbox(["verify", "partial", "--wrong-solution", "always-zero", ...extra], {
        SANDBOX_EXERCISES_DIR: copy,
      });
    const [bailed, full] = await Promise.all([zero(), zero("--all-stages")]);
    expect(bailed.stdout).toMatch(
      /✓ wrong solution always-zero is caught by basics \(1 of 1 tests run\): basics › adds numbers it has not seen$/m,
    );
    expect(full.stdout).toMatch(
      /✓ wrong solution always-zero is caught by basics \(2 of 2 tests\), negatives \(3 of 3 tests\), 0 \/ 30/,
    );
    // `Breaks:` names a rule the last test of negatives cites: that test alone runs.
    const negatives = path.join(copy, "partial/.meta/hidden/negatives.test.ts");
    writeFileSync(
      negatives,
      readFileSync(negatives, "utf8").replace('it("adds zero to', 'it("[R2.1] adds zero to'),
    );
    const zeroPatch = path.join(copy, "partial/.meta/wrong-solutions/always-zero.patch");
    writeFileSync(
      zeroPatch,
      readFileSync(zeroPatch, "utf8").replace("Stages: basics, negatives\n", "$&Breaks: R2.1\n"),
    );
    expect((await zero()).stdout).toMatch(
      /✓ wrong solution always-zero is caught by negatives \(1 of 1 tests run\): negatives › \[R2\.1\] adds zero to a negative number$/m,
    );
    // It must be caught by those tests: ignores-sign breaks no test of basics, though negatives' would catch it.
    const basics = path.join(copy, "partial/.meta/hidden/basics.test.ts");
    writeFileSync(
      basics,
      readFileSync(basics, "utf8").replace('it("adds zero"', 'it("[R1.1] adds zero"'),
    );
    writeFileSync(patch, `Stages: basics, negatives\nBreaks: R1.1\n\n${body}`);
    const uncited = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sign"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(uncited.stdout).toMatch(
      /✗ wrong solution ignores-sign is caught in the stages it declares \(basics, negatives\) by the tests citing the rules it breaks \(R1\.1\): it passes every one of those tests/,
    );
    writeFileSync(patch, `Stages: negative\n\n${body}`);
    const misnamed = await sandbox(["verify", "partial", "--static"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(misnamed.stdout).toMatch(
      /✗ wrong solution ignores-sign says why, applies to \.meta\/solution\/ and changes it: its Stages: line names negative, not stages of exercise\.json/,
    );
    writeFileSync(patch, `Stages: basics\nBreaks: R2.1\n\n${body}`);
    const untested = await sandbox(["verify", "partial", "--static"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(untested.stdout).toMatch(
      /✗ wrong solution ignores-sign says why, .*: its Breaks: line names R2\.1, which no hidden test of its stages cites/,
    );
  });

  it("names the bug whose patch no longer applies, and grades it as an error, not a crash", async () => {
    const copy = scratchDir("verify-drifted");
    cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
    const solution = path.join(copy, "partial/.meta/solution/math.ts");
    writeFileSync(solution, readFileSync(solution, "utf8").replace("a + b", "b + a"));
    const verify = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sign"], {
      SANDBOX_EXERCISES_DIR: copy,
    });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      /✗ wrong solution ignores-sign says why, applies to \.meta\/solution\/ and changes it: hunk 1 of math\.ts \(@@ -1,3 \+1,3 @@\) no longer applies/,
    );
    expect(verify.stdout).toMatch(
      /✗ wrong solution ignores-sign can be graded: error: wrong solution ignores-sign: hunk 1 of math\.ts/,
    );
    expect(verify.stdout).toMatch(/✓ \d+ of \d+ checks hold/);
    expect(verify.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

/** A copy of the partial fixture with more wrong solutions, each with its own return line in `add`. */
function partialWith(name: string, wrongSolutions: [bug: string, line: string][]): string {
  const copy = scratchDir(name);
  cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
  for (const [bug, line] of wrongSolutions)
    writeFileSync(
      path.join(copy, "partial/.meta/wrong-solutions", `${bug}.patch`),
      `Wrong on purpose.\n\n--- a/math.ts\n+++ b/math.ts\n@@ -1,3 +1,3 @@\n export function add(a: number, b: number): number {\n-  return a + b;\n+  ${line}\n }\n`,
    );
  return copy;
}

/** The gradings a verify started, in the order it started them (its progress lines). */
function gradingsStarted(run: { stdout: string; stderr: string }): string[] {
  return [
    ...`${run.stdout}\n${run.stderr}`.matchAll(/^grading (\S+ \([^)]*\)) \(\d+\/\d+\)/gm),
  ].map((match) => match[1]!);
}

/** A verify's checks in order: its progress lines left out, its times as `N s`. */
function checksOf(run: { stdout: string }): string[] {
  return run.stdout
    .split("\n")
    .filter((line) => !line.startsWith("grading ") && !/^[✓✗] (partial|passing) \(/.test(line))
    .map((line) => line.replace(/\d+ s\b/g, "N s"));
}
