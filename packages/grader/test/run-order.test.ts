import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadExercise, planRun } from "../src/index";
import { graderJestConfig } from "../src/run/jest-config";
import { FIXTURES, scratchDir } from "./run-sandbox";

// Jest loads it by path, as CommonJS.
const PlanOrderSequencer = require("../src/run/plan-order-sequencer.js");

// The partial fixture, its hidden negatives file citing [R2.1] in one title and naming R9.9,
// without brackets, in a comment.
const copy = scratchDir("run-order");
cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
const exercise = loadExercise(path.join(copy, "partial"));
const hiddenDir = path.join(exercise.dir, ".meta", "hidden");
const negatives = path.join(hiddenDir, "negatives.test.ts");
const basics = path.join(hiddenDir, "basics.test.ts");
writeFileSync(
  negatives,
  readFileSync(negatives, "utf8").replace(
    'it("adds zero to',
    '// R9.9 aside\n  it("[R2.1] adds zero to',
  ),
);

/** A wrong solution's plan: hidden tests only, as verify makes it. */
const wrongSolutionPlan = (options: { rules?: string[]; stages?: string[] }) =>
  planRun(exercise, {
    sourceDir: path.join(exercise.dir, ".meta", "solution"),
    hiddenDir,
    includeVisible: false,
    timeoutMs: 10_000,
    bail: true,
    ...options,
  });

describe("the files a wrong solution's run grades", () => {
  it("are, with a Breaks: line, the planned files citing one of its rules in brackets", () => {
    expect(wrongSolutionPlan({ rules: ["R2.1"] })).toMatchObject({
      testFiles: [negatives],
      rules: ["R2.1"],
    });
    expect(wrongSolutionPlan({ rules: ["R1.1", "R2.1"] }).testFiles).toEqual([negatives]);
  });

  it("are none for a rule named without brackets, or cited outside its stages", () => {
    expect(wrongSolutionPlan({ rules: ["R9.9"] }).testFiles).toEqual([]);
    expect(wrongSolutionPlan({ rules: ["R2.1"], stages: ["basics"] }).testFiles).toEqual([]);
  });

  it("are every planned file without a Breaks: line, in path order for Jest", () => {
    const plan = wrongSolutionPlan({});
    expect(plan.rules).toBeUndefined();
    const sequencer = new PlanOrderSequencer({});
    const config = graderJestConfig(plan, { repoRoot: path.join(__dirname, "../../..") });
    const testRegex = config.testRegex as string[];
    // Jest hands the sequencer its tests in no promised order: give them reversed.
    const tests = [...plan.testFiles].reverse().map((file) => ({
      path: file,
      context: { config: { testRegex } },
    }));
    expect(sequencer.sort(tests).map((test: { path: string }) => test.path)).toEqual([
      basics,
      negatives,
    ]);
  });

  it("have the test environment told the rules, and to bail at the first failure", () => {
    const config = graderJestConfig(wrongSolutionPlan({ rules: ["R2.1"] }), {
      repoRoot: path.join(__dirname, "../../.."),
    });
    expect(config.testEnvironmentOptions).toEqual({ rules: ["R2.1"], bailAtFirstFailure: true });
  });
});
