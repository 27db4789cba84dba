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
const wrongSolutionPlan = (options: { breaks?: string[]; stages?: string[] }) =>
  planRun(exercise, {
    sourceDir: path.join(exercise.dir, ".meta", "solution"),
    hiddenDir,
    includeVisible: false,
    timeoutMs: 10_000,
    bail: true,
    ...options,
  });

describe("the files a wrong solution's run starts with", () => {
  it("are the planned files citing a rule its Breaks: line names, in brackets", () => {
    expect(wrongSolutionPlan({ breaks: ["R2.1"] }).firstFiles).toEqual([negatives]);
    expect(wrongSolutionPlan({ breaks: ["R1.1", "R2.1"] }).firstFiles).toEqual([negatives]);
  });

  it("are none without a Breaks: line, for a rule named without brackets, or outside its stages", () => {
    expect(wrongSolutionPlan({}).firstFiles).toEqual([]);
    expect(wrongSolutionPlan({ breaks: ["R9.9"] }).firstFiles).toEqual([]);
    expect(wrongSolutionPlan({ breaks: ["R2.1"], stages: ["basics"] })).toMatchObject({
      testFiles: [basics],
      firstFiles: [],
    });
  });

  it("come first in Jest's order, then the others by path", () => {
    const sequencer = new PlanOrderSequencer({});
    const order = (plan: ReturnType<typeof wrongSolutionPlan>) => {
      const config = graderJestConfig(plan, { repoRoot: path.join(__dirname, "../../..") });
      const testRegex = config.testRegex as string[];
      // Jest hands the sequencer its tests in no promised order: give them reversed.
      const tests = [...plan.testFiles].reverse().map((file) => ({
        path: file,
        context: { config: { testRegex } },
      }));
      return sequencer.sort(tests).map((test: { path: string }) => test.path);
    };
    expect(order(wrongSolutionPlan({ breaks: ["R2.1"] }))).toEqual([negatives, basics]);
    expect(order(wrongSolutionPlan({}))).toEqual([basics, negatives]);
  });
});
