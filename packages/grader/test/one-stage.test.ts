import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { FIXTURES, sandbox, scratchDir, type SandboxRun } from "./run-sandbox";

// One stage at a time (docs/getting-started.md): `sandbox test` and `sandbox grade` with --stage,
// and a learner's `npm test`, which runs the stages up to the first one not yet passed. The
// fixture `partial` passes its first stage (basics) and fails its second (negatives).

const REPO_ROOT = path.resolve(__dirname, "../../..");
const JEST = path.join(REPO_ROOT, "node_modules/jest/bin/jest.js");

const passedStages = (state: string, slug = "partial") => {
  const file = path.join(state, "stages-passed.json");
  return existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, "utf8"))[slug] ?? {}) : [];
};

describe("sandbox test --stage and sandbox grade --stage", () => {
  it("runs one stage's visible tests, from the exercise you are in", async () => {
    const state = scratchDir("one-stage-test");
    const run = await sandbox(
      ["test", "--stage", "negatives"],
      { SANDBOX_STATE_DIR: state },
      path.join(FIXTURES, "partial", "src"),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("stage 2 of 2 only (negatives)");
    expect(run.stderr).toMatch(/Tests:\s+1 failed, 1 total/);
    expect(run.stderr).not.toContain("basics.test.ts");
  });

  it("says which exercise to name when run outside one", async () => {
    const run = await sandbox(["test"], {}, scratchDir("nowhere"));
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/name an exercise \(.*partial.*\), or run this inside its folder/);
  });

  it("grades one stage alone, visible and hidden, and says so", async () => {
    const state = scratchDir("one-stage-grade");
    const json = path.join(state, "report.json");
    const run = await sandbox(["grade", "partial", "--stage", "basics", "--json", json], {
      SANDBOX_STATE_DIR: state,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("One stage only: partial › basics (stage 1 of 2)");
    expect(run.stdout).toMatch(/partial \(one stage\)\s+basics\s+3 \/ 3\s+10 \/ 10/);
    expect(run.stdout).not.toMatch(/negatives/);
    expect(run.stdout).toMatch(/total\s+10 \/ 10 \(100%\)/);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.exercises[0]).toMatchObject({ stage: "basics", status: "passed", maxScore: 10 });
    // Remembered as passed, but no grade of the whole exercise for `sandbox list`.
    expect(passedStages(state)).toEqual(["basics"]);
    expect(existsSync(path.join(state, "last-grade.json"))).toBe(false);
  });

  it.each([
    [["test", "partial", "--stage", "negativs"]],
    [["grade", "partial", "--stage", "negativs"]],
  ])("refuses an unknown stage with exit 2 and the closest name: %j", async (args) => {
    const run: SandboxRun = await sandbox(args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'sandbox: unknown stage "negativs" of partial: did you mean negatives?',
    );
  });

  it("wants one exercise for grade --stage", async () => {
    const run = await sandbox(["grade", "--stage", "basics"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--stage grades one stage of one exercise/);
  });
});

describe("npm test in an exercise: the stages up to the first not yet passed", () => {
  // A copy of the fixture laid out as a real exercise (package.json, the one-line jest.config.js),
  // inside the checkout so that the preset and the testkit resolve as they do for a learner.
  let work: string;
  let exercise: string;
  beforeAll(() => {
    mkdirSync(path.join(REPO_ROOT, ".sandbox", "work"), { recursive: true });
    work = mkdtempSync(path.join(REPO_ROOT, ".sandbox", "work", "one-stage-"));
    // Named apart from the fixtures: other tests look for leftover copies of "partial".
    exercise = path.join(work, "stepwise");
    cpSync(path.join(FIXTURES, "partial"), exercise, { recursive: true });
    writeFileSync(path.join(exercise, "package.json"), '{ "name": "stepwise", "private": true }\n');
    const manifest = path.join(exercise, ".meta", "exercise.json");
    writeFileSync(
      manifest,
      JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), slug: "stepwise" }),
    );
    writeFileSync(
      path.join(exercise, "jest.config.js"),
      'module.exports = { preset: "@backend-sandbox/testkit" };\n',
    );
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** `npm test -- <args>` as the learner runs it: Jest in the exercise, not in CI. */
  const npmTest = (state: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    new Promise<SandboxRun>((resolve) => {
      const { CI: _ci, SANDBOX_RESULTS_DIR: _results, ...outer } = process.env;
      execFile(
        process.execPath,
        [JEST, ...args],
        { cwd: exercise, env: { ...outer, SANDBOX_STATE_DIR: state, ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("runs stage 1 first, then up to the next stage once it passed", async () => {
    const state = scratchDir("npm-test");
    const first = await npmTest(state);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      "stage 1 of 2 (the first not yet passed is 1. basics); `npm test -- --all` for every stage",
    );
    expect(first.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(first.stderr).toContain("1. basics passed: the next run goes up to 2. negatives");
    expect(passedStages(state, "stepwise")).toEqual(["basics"]);

    const second = await npmTest(state);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("stages 1-2 of 2 (the first not yet passed is 2. negatives)");
    expect(second.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    expect(passedStages(state, "stepwise")).toEqual(["basics"]);
  });

  it("counts a stage that scored full points in sandbox grade as passed", async () => {
    const state = scratchDir("npm-test-graded");
    const graded = await sandbox(["grade", "stepwise"], {
      SANDBOX_STATE_DIR: state,
      SANDBOX_EXERCISES_DIR: work,
    });
    expect(graded.code).toBe(0);
    const run = await npmTest(state);
    expect(run.stderr).toContain("stages 1-2 of 2");
  });

  it.each([
    ["--all", ["--all"]],
    ["a test name pattern", ["-t", "adds"]],
    ["an explicit test path", ["test/negatives.test.ts", "test/basics.test.ts"]],
  ])("runs every stage the learner asked for with %s", async (_what, args) => {
    const run = await npmTest(scratchDir("npm-test-all"), args);
    expect(run.stderr).not.toMatch(/stages? 1/);
    expect(run.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
  });

  it("changes nothing in CI: every stage runs, nothing is remembered", async () => {
    const state = scratchDir("npm-test-ci");
    const run = await npmTest(state, [], { CI: "1" });
    expect(run.stderr).not.toMatch(/stages? 1/);
    expect(run.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    expect(passedStages(state, "stepwise")).toEqual([]);
  });

  it("remembers the stages sandbox test passed", async () => {
    const state = scratchDir("sandbox-test-passes");
    await sandbox(["test", "partial"], { SANDBOX_STATE_DIR: state, CI: "" });
    expect(passedStages(state)).toEqual(["basics"]);
  });
});
