import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { GradeReport } from "../src/index";
import { processesMarked, sandbox, scratchDir, type SandboxRun } from "./run-sandbox";

// One grade of every fixture exercise, with every report; the tests below read its results.
const out = scratchDir("grade");
const state = scratchDir("state");
const marker = `grader-leak-check-${process.pid}-${Date.now()}`;
const files = {
  json: "r.json",
  junit: "r.xml",
  markdown: "r.md",
  gradescope: "gs.json",
  html: "r.html",
};
let run: SandboxRun;
let report: GradeReport;
const exercise = (slug: string) => report.exercises.find((e) => e.slug === slug)!;

beforeAll(async () => {
  const reportArgs = Object.entries(files).flatMap(([format, file]) => [
    `--${format}`,
    path.join(out, file),
  ]);
  run = await sandbox(["grade", ...reportArgs, "--min-score", "50"], {
    SANDBOX_STATE_DIR: state,
    LEAK_MARKER: marker,
  });
  report = JSON.parse(readFileSync(path.join(out, files.json), "utf8"));
}, 600_000);

describe("grading the fixture exercises", () => {
  it("exits 1 when the total is below --min-score, after grading every exercise", () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/below --min-score 50%/);
    expect(report.exercises.map((e) => e.slug)).toEqual([
      "exit-at-import",
      "exit-in-test",
      "focused-test",
      "infinite-loop",
      "memory-bomb",
      "partial",
      "passing",
      "skipped-test",
      "throws-at-import",
      "with-redis",
    ]);
  });

  it("scores a passing exercise in full and a partial one stage by stage", () => {
    expect(exercise("passing")).toMatchObject({ status: "passed", score: 10, maxScore: 10 });
    const partial = exercise("partial");
    expect(partial).toMatchObject({ status: "failed", score: 10, maxScore: 30 });
    expect(partial.stages.map((s) => [s.id, s.passed, s.total, s.score])).toEqual([
      ["basics", 3, 3, 10],
      ["negatives", 0, 4, 0],
    ]);
  });

  it("grades an exercise that uses Redis through the services started once", () => {
    expect(exercise("with-redis")).toMatchObject({ status: "passed", score: 10 });
  });

  it.each([
    ["exit-in-test", /the code under test exited \(exit code 0\)/],
    ["exit-at-import", /the code under test exited \(exit code 0\)/],
    ["throws-at-import", /broken at import/],
    ["memory-bomb", /the code under test exited/],
  ])(
    "gives %s zero points: its crash is in its own process, and every test says why it failed",
    (slug, message) => {
      const result = exercise(slug);
      expect(result).toMatchObject({ status: "failed", score: 0 });
      const tests = result.stages.flatMap((s) => s.tests);
      expect(tests.length).toBeGreaterThan(0);
      for (const test of tests) {
        expect(test.status).toBe("failed");
        expect(test.message).toMatch(message);
      }
    },
  );

  it.each([
    ["infinite-loop", /time limit of 6 s/],
    ["skipped-test", /skipped, focused or left todo/],
    ["focused-test", /skipped, focused or left todo/],
  ])("gives %s zero points with a reason, never a pass", (slug, reason) => {
    const result = exercise(slug);
    expect(["error", "timeout"]).toContain(result.status);
    expect(result.score).toBe(0);
    expect(result.reason).toMatch(reason);
    expect(result.stages.every((s) => s.passed === 0)).toBe(true);
  });

  it("stops a looping submission within its time limit and leaves no process behind", () => {
    const loop = exercise("infinite-loop");
    expect(loop.status).toBe("timeout");
    expect(loop.durationMs).toBeLessThan(6_000 + 3_000);
    expect(processesMarked(marker)).toEqual([]);
  });

  it("states what a hidden test expected without its source or its path", () => {
    const hidden = exercise("partial").stages[1]!.tests.find(
      (t) => t.visibility === "hidden" && t.status === "failed",
    )!;
    expect(hidden.file).toMatch(/^hidden\//);
    expect(hidden.message).toMatch(/Expected: -?\d+/);
    expect(hidden.message).not.toMatch(/expect\(add\(|\.meta|at Object|\|/);
  });

  it("ends with a table of exercise, stage, passed / total and score", () => {
    expect(run.stdout).toMatch(/exercise\s+stage\s+passed \/ total\s+score/);
    expect(run.stdout).toMatch(/partial\s+basics\s+3 \/ 3\s+10 \/ 10/);
    expect(run.stdout).toMatch(/total\s+30 \/ 120 \(25%\)/);
    expect(run.stderr).toMatch(/grading passing \(7\/10\)/);
  });

  it("lists the failing tests after the table, stage by stage, with what they expected", () => {
    const list = run.stdout.slice(run.stdout.indexOf("Failing tests:"));
    expect(run.stdout.indexOf("Failing tests:")).toBeGreaterThan(run.stdout.indexOf("total"));
    // partial's failing tests under their stage, the visible one first (the plan's order), each
    // with its assertion message.
    expect(list).toMatch(
      /\npartial › negatives \(\d+ \/ \d+ passed\)\n {2}✗ .+ \(visible\)\n {6}\S.*\n(?: {6}.*\n)* {2}✗ .+ \(hidden\)\n {6}\S/,
    );
    expect(list).toMatch(/Expected: -?\d+/);
    // Exercises that were not graded are the table's, with their reason.
    expect(list).not.toMatch(/infinite-loop ›/);
  });
});

describe("the reports", () => {
  it("JSON: versioned, totals add up", () => {
    expect(report).toMatchObject({ schemaVersion: 1, mode: "learner", score: 30, maxScore: 120 });
    for (const e of report.exercises)
      expect(e.score).toBeCloseTo(e.stages.reduce((n, s) => n + s.score, 0));
  });

  it("JUnit: valid XML with a suite per exercise, failures and errors counted", () => {
    const xml = readFileSync(path.join(out, files.junit), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suites = parsed.testsuites.testsuite as {
      name: string;
      failures: string;
      errors: string;
      tests: string;
    }[];
    expect(suites).toHaveLength(10);
    expect(suites.find((s) => s.name === "partial")).toMatchObject({
      tests: "7",
      failures: "4",
      errors: "0",
    });
    expect(suites.find((s) => s.name === "infinite-loop")).toMatchObject({
      tests: "1",
      errors: "1",
    });
    // Not graded: infinite-loop, skipped-test, focused-test (one error each).
    expect(parsed.testsuites.errors).toBe("3");
  });

  it("Markdown: a summary table and folded failures", () => {
    const md = readFileSync(path.join(out, files.markdown), "utf8");
    expect(md).toMatch(/^## Grade: 30 \/ 120 \(25%\)/);
    expect(md).toContain("| Partial (`partial`) | ❌ failed | 10 / 30 |");
    expect(md).toContain("| Negatives (`negatives`) | 0 / 4 | 0 / 20 |");
    expect(md).toMatch(/<details><summary>4 failing tests<\/summary>/);
  });

  it("Gradescope: results.json with a scored, visible test per stage", () => {
    const gs = JSON.parse(readFileSync(path.join(out, files.gradescope), "utf8"));
    expect(gs).toMatchObject({ score: 30, max_score: 120 });
    expect(gs.tests).toHaveLength(11);
    expect(gs.tests.reduce((n: number, t: { score: number }) => n + t.score, 0)).toBe(30);
    expect(gs.tests.find((t: { name: string }) => t.name === "Partial › Negatives")).toMatchObject({
      score: 0,
      max_score: 20,
      status: "failed",
      visibility: "visible",
    });
  });

  it("HTML: one self-contained page with bars and expandable failures", () => {
    const html = readFileSync(path.join(out, files.html), "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('<div class="bar low" role="img" aria-label="25%">');
    // One fold per failing test: partial's 4, and 3 for each of the four crashes.
    expect((html.match(/<details>/g) ?? []).length).toBe(16);
    expect(html).toContain("Not graded:");
  });

  it("remembers the scores for `sandbox list`", async () => {
    const list = await sandbox(["list"], { SANDBOX_STATE_DIR: state });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /partial\s+Partial\s+beginner\s+none\s+basics, negatives\s+10 \/ 30/,
    );
    expect(list.stdout).toMatch(/with-redis\s+With Redis\s+beginner\s+redis\s+counter\s+10 \/ 10/);
  });
});
