// The class's outputs as pure functions of stored results (src/class/*): what the summary counts,
// and that no text from the roster or a submission is rendered as markup or run as a formula.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { loadExercise } from "../src/exercise/manifest";
import type { ExerciseResult, StageResult } from "../src/score/grade-result";
import { gradesCsv } from "../src/class/grades-csv";
import { studentPage } from "../src/class/student-page";
import type { StudentResult } from "../src/class/student-result";
import { summaryPage } from "../src/class/summary-page";
import { FIXTURES } from "./run-sandbox";

const partial = loadExercise(path.join(FIXTURES, "partial"));
const HOSTILE = `<img src=x onerror=alert(1)>\u001b[31m\u202e`;
/** What must not reach a page or a cell: the escape that starts an ANSI sequence, a bidi override. */
// eslint-disable-next-line no-control-regex -- control characters are what is checked for
const CONTROLS = /[\u001b\u202e]/;

/** A graded student whose negatives stage passed `negatives` of 4 tests, each failing one named `hostile`. */
function graded(id: string, negatives: number, name = id): StudentResult {
  const stage = (stageId: string, points: number, passed: number, total: number): StageResult => ({
    id: stageId,
    title: stageId,
    points,
    score: Math.round((points * passed * 100) / total) / 100,
    passed,
    total,
    tests: Array.from({ length: total }, (_, i) => ({
      name: `${stageId} › test ${i}${i === 0 ? ` ${HOSTILE}` : ""}`,
      file: `hidden/${stageId}.test.ts`,
      visibility: "hidden" as const,
      status: i < passed ? ("passed" as const) : ("failed" as const),
      durationMs: 1,
      ...(i < passed ? {} : { message: HOSTILE }),
    })),
  });
  const stages = [stage("basics", 10, 3, 3), stage("negatives", 20, negatives, 4)];
  const score = stages.reduce((n, s) => n + s.score, 0);
  const exercise: ExerciseResult = {
    slug: "partial",
    title: "Partial",
    status: negatives === 4 ? "passed" : "failed",
    score,
    maxScore: 30,
    durationMs: 1000,
    stages,
  };
  return {
    schemaVersion: 1,
    studentId: id,
    name,
    repository: `https://example.com/${id}.git`,
    status: "graded",
    commit: "0123456789abcdef",
    committedAt: "2026-11-30T12:00:00.000Z",
    graderVersion: "0.1.0+test",
    exercises: ["partial"],
    gradedAt: "2026-11-30T13:00:00.000Z",
    report: {
      schemaVersion: 1,
      createdAt: "",
      mode: "submission",
      score,
      maxScore: 30,
      exercises: [exercise],
    },
  };
}

const failed: StudentResult = {
  ...graded("s4", 0),
  status: "error",
  reason: `git clone failed: ${HOSTILE}`,
  report: undefined,
  name: "=cmd|' /C calc'!A0",
};
const students = [graded("s1", 4), graded("s2", 0, HOSTILE), graded("s3", 1), failed];

describe("the class summary page", () => {
  let page: string;
  beforeAll(async () => {
    page = await summaryPage(
      { assignment: "hw1", graderVersion: "0.1.0+test", exercises: [partial], students },
      async (percentages) => `<svg data-drawn="${percentages.join(" ")}"></svg>`,
    );
  });

  it("counts the graded students, the pass rate of each stage and the tests most of them fail", () => {
    expect(page).toContain("4 students: 3 graded, 1 not graded (error)");
    expect(page).toMatch(/partial › basics<\/td><td class="num">3 of 3<\/td>/);
    expect(page).toMatch(/partial › negatives<\/td><td class="num">1 of 3<\/td>/);
    // Tests 1-3 of negatives fail for s2 and s3 (2 of 3); test 0 too, and for s3 it passed.
    expect(page).toMatch(
      /negatives › test 3 <span class="muted">\(hidden\)<\/span><\/td><td class="num">2 of 3 \(66\.67%\)/,
    );
    expect(page).not.toMatch(/basics › test \d+ <span/);
  });

  it("draws the graded students' percentages in the histogram", () => {
    // 100%, 33.33% (10 of 30) and 50% (basics 10 + 1 of 4 of 20); s4 has no grade.
    expect(page).toContain('<svg data-drawn="100 33.33 50"></svg>');
  });

  it("escapes every text from the roster or a submission", () => {
    expect(page).not.toContain("<img");
    expect(page).not.toMatch(CONTROLS);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const feedback = studentPage(students[1]!) + studentPage(failed);
    expect(feedback).not.toContain("<img");
    expect(feedback).not.toMatch(CONTROLS);
  });
});

describe("the score histogram", () => {
  it("is an SVG bar chart drawn by Vega-Lite in Node, with one bar per 10% and no script or link", () => {
    // In a Node process of its own: Vega is an ES module, which Jest's loader cannot import().
    const svg = execFileSync(
      process.execPath,
      [
        "-r",
        "tsx/cjs",
        "-e",
        "require('./src/class/score-histogram').scoreHistogramSvg([100, 33.33, 50, 55, 0]).then((svg) => process.stdout.write(svg))",
      ],
      { cwd: path.join(__dirname, ".."), encoding: "utf8" },
    );
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    expect(svg).not.toMatch(/<script|<foreignObject|href="http/);
    for (const [range, students] of [
      ["90–100%", 1],
      ["30–39%", 1],
      ["50–59%", 2],
      ["0–9%", 1],
      ["10–19%", 0],
    ])
      expect(svg).toContain(`aria-label="score: ${range}; students: ${students}"`);
  });
});

describe("grades.csv", () => {
  const rows = parse(gradesCsv("hw1", [partial], students), { columns: true }) as Record<
    string,
    string
  >[];

  it("has a row per student with points per exercise and stage, and none for a student in error", () => {
    expect(
      rows.map((r) => [r.roster_identifier, r.points_awarded, r["partial/negatives"]]),
    ).toEqual([
      ["s1", "30", "20"],
      ["s2", "10", "0"],
      ["s3", "15", "5"],
      ["s4", "", ""],
    ]);
    expect(rows[0]).toMatchObject({
      student_repository_name: "s1",
      submission_timestamp: "2026-11-30 12:00:00 UTC",
      points_available: "30",
    });
  });

  it("keeps a spreadsheet from reading roster or submission text as a formula or a control code", () => {
    expect(rows[3]!.student_name).toBe("'=cmd|' /C calc'!A0");
    expect(rows[3]!.reason).toBe("git clone failed: <img src=x onerror=alert(1)>[31m");
    expect(rows[1]!.student_name).not.toMatch(CONTROLS);
  });
});
