// Issue 14's attacks on the grader, as fixtures (test/fixtures/attacks/<slug>/src/ holds each
// attack): each scores 0 with the right reason, leaves nothing running, and the exercises graded
// with it are still graded correctly.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { GradeReport } from "../src/index";
import { WITHHELD } from "../src/score/hidden-text";
import { processesMarked, sandbox, scratchDir, type SandboxRun } from "./run-sandbox";

const ATTACKS = path.join(__dirname, "fixtures", "attacks");
const REPO = path.resolve(__dirname, "../../..");
const read = (file: string): GradeReport => JSON.parse(readFileSync(file, "utf8"));
const exercise = (report: GradeReport, slug: string) =>
  report.exercises.find((e) => e.slug === slug)!;
const gitStatus = () =>
  execFileSync("git", ["status", "--porcelain", "--", "packages", "exercises"], {
    cwd: REPO,
    encoding: "utf8",
  });

/** A copy of the attack fixtures to grade in place: attacks on the checkout hit the copy. */
function attackCheckout(): string {
  const dir = path.join(scratchDir("attacks"), "exercises");
  cpSync(ATTACKS, dir, { recursive: true });
  return dir;
}

const statusBefore = gitStatus();
afterAll(() => expect(gitStatus()).toBe(statusBefore));

describe("attacks from the code under test (learner mode)", () => {
  const out = scratchDir("attacks-out");
  const marker = `grader-leak-check-${process.pid}-${Date.now()}`;
  let run: SandboxRun;
  let report: GradeReport;
  let elapsed: number;
  beforeAll(async () => {
    const started = Date.now();
    run = await sandbox(
      [
        "grade",
        ...["quotes-hidden", "markup-reason", "sigstop-in-band", "sigstop-workers", "victim"],
        ...["--json", path.join(out, "r.json"), "--markdown", path.join(out, "r.md")],
        ...["--html", path.join(out, "r.html"), "--junit", path.join(out, "r.xml")],
      ],
      {
        SANDBOX_EXERCISES_DIR: attackCheckout(),
        SANDBOX_STATE_DIR: scratchDir("attacks-state"),
        LEAK_MARKER: marker,
      },
    );
    elapsed = Date.now() - started;
    report = read(path.join(out, "r.json"));
  }, 300_000);

  it("[kind 4] ends a run that stops itself and the grader (in band) with SIGSTOP at the limit, as a timeout", () => {
    const inBand = exercise(report, "sigstop-in-band");
    expect(inBand).toMatchObject({ status: "timeout", score: 0 });
    expect(inBand.reason).toMatch(/time limit of 5 s/);
    expect(inBand.durationMs).toBeLessThan(5_000 + 3_000);
  });

  it("[kind 4] ends a run that stops its worker and Jest's main process with SIGSTOP at the limit", () => {
    const workers = exercise(report, "sigstop-workers");
    expect(workers).toMatchObject({ status: "timeout", score: 0 });
    expect(workers.durationMs).toBeLessThan(5_000 + 3_000);
  });

  it("[kind 3] leaves no process running, setsid'd helpers included", () => {
    expect(processesMarked(marker)).toEqual([]);
    // An upper bound that proves no stop hung the run, with room for a loaded machine.
    expect(elapsed).toBeLessThan(180_000);
  });

  it("[kind 7] keeps a hidden test's text out of every report when the code throws it", () => {
    const quoted = exercise(report, "quotes-hidden");
    expect(quoted).toMatchObject({ status: "failed", score: 0 });
    const messages = quoted.stages[0]!.tests.map((t) => [t.visibility, t.message]);
    expect(messages).toContainEqual(["visible", WITHHELD]);
    for (const file of ["r.json", "r.md", "r.html", "r.xml"])
      expect(readFileSync(path.join(out, file), "utf8")).not.toMatch(/hidden-marker-7f3a|5555/);
  });

  it("[kind 11] shows markup the code under test controls as text in the Markdown and HTML reports", () => {
    // Its import fails in its own process, so every test fails with the markup as its message.
    expect(exercise(report, "markup-reason")).toMatchObject({ status: "failed", score: 0 });
    const md = readFileSync(path.join(out, "r.md"), "utf8");
    expect(md).toContain("onerror=alert(1)");
    expect(outsideCodeFences(md)).not.toMatch(/<img|<!--|\]\(javascript/);
    expect(readFileSync(path.join(out, "r.html"), "utf8")).not.toMatch(/<img|<!-- `/);
  });

  it("grades the exercise after the attacks correctly", () => {
    expect(exercise(report, "victim")).toMatchObject({ status: "passed", score: 10 });
    expect(run.code).toBe(0);
  });
});

describe("attacks through the submitted files (--submission)", () => {
  let run: SandboxRun;
  let report: GradeReport;
  beforeAll(async () => {
    const submission = scratchDir("attack-submission");
    const src = (slug: string, file = "math.ts") =>
      path.join(submission, "exercises", slug, "src", file);
    const correct = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";
    for (const slug of ["victim", "markup-reason", "quotes-hidden"]) {
      mkdirSync(path.dirname(src(slug)), { recursive: true });
      writeFileSync(src(slug), correct);
    }
    // kind 9: a name that is not UTF-8 (Node cannot write one from a string; the shell can)
    execFileSync("sh", [
      "-c",
      `printf x > "$1/bad$(printf '\\377').ts"`,
      "sh",
      path.dirname(src("victim")),
    ]);
    // kind 10: 10 GiB that take no disk space
    writeFileSync(src("markup-reason", "huge.bin"), "");
    truncateSync(src("markup-reason", "huge.bin"), 10 * 1024 ** 3);
    const out = path.join(scratchDir("attack-submission-out"), "r.json");
    run = await sandbox(
      [
        "grade",
        "victim",
        "markup-reason",
        "quotes-hidden",
        "--submission",
        submission,
        "--json",
        out,
      ],
      { SANDBOX_EXERCISES_DIR: ATTACKS, SANDBOX_STATE_DIR: scratchDir("attacks-state") },
    );
    report = read(out);
  }, 300_000);

  it("[kind 9] makes a file name that is not UTF-8 that exercise's error, naming it escaped", () => {
    expect(exercise(report, "victim")).toMatchObject({
      status: "error",
      score: 0,
      reason: "src/bad\\xff.ts: a file name must be printable UTF-8 (it cannot be imported)",
    });
  });

  it("[kind 10] refuses a 10 GiB sparse file at once, without copying it", () => {
    const huge = exercise(report, "markup-reason");
    expect(huge).toMatchObject({ status: "error", score: 0 });
    expect(huge.reason).toBe(
      "src/huge.bin: src/ holds more than 10 MiB (this file alone is 10737418240 bytes)",
    );
    expect(huge.durationMs).toBeLessThan(1_000);
  });

  it("still grades the other exercises of the run", () => {
    expect(run.code).toBe(0);
    expect(exercise(report, "quotes-hidden")).toMatchObject({ status: "passed", score: 10 });
  });
});

describe("[kind 5] an attack on the trusted checkout", () => {
  it("stops grading with exit 3, naming the changed file; the exercises after it are errors", async () => {
    const exercises = attackCheckout();
    const out = path.join(scratchDir("tamper-out"), "r.json");
    const run = await sandbox(["grade", "tamper-checkout", "victim", "--json", out], {
      SANDBOX_EXERCISES_DIR: exercises,
      SANDBOX_STATE_DIR: scratchDir("tamper-state"),
    });
    expect(run.code).toBe(3);
    const changed = `${path.join(exercises, "victim/test/basics.test.ts")} (changed)`;
    expect(run.stderr).toContain(
      `grading stopped: the trusted checkout changed while tamper-checkout was graded (${changed})`,
    );
    const report = read(out);
    expect(exercise(report, "tamper-checkout")).toMatchObject({
      status: "error",
      reason: `the trusted checkout changed while this exercise was graded: ${changed}; grading stopped`,
    });
    expect(exercise(report, "victim")).toMatchObject({ status: "error", score: 0 });
    expect(exercise(report, "victim").reason).toMatch(/^grading stopped: the trusted checkout/);
  });
});

/** The Markdown outside fenced code blocks (a fence closes only with a run of its own length or more). */
function outsideCodeFences(markdown: string): string {
  let fence: string | undefined;
  const kept: string[] = [];
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (
      fence !== undefined &&
      marker &&
      marker[0] === fence[0] &&
      marker.length >= fence.length
    )
      fence = undefined;
    else if (fence === undefined) kept.push(line);
  }
  return kept.join("\n");
}
