import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import {
  buildReport,
  junitReport,
  loadExercise,
  mergeReports,
  parseShard,
  planRun,
  scoreExercise,
  shardOf,
  type JestRun,
} from "../src/index";
import { closestNames } from "../src/terminal/closest-names";
import { hiddenTestMessage } from "../src/score/failure-message";
import { FIXTURES } from "./run-sandbox";

const exercise = loadExercise(path.join(FIXTURES, "partial"));
const hiddenDir = path.join(exercise.dir, ".meta", "hidden");
const file = (name: string, statuses: string[], extra: object = {}) => ({
  name,
  status: "passed",
  message: "",
  assertionResults: statuses.map((status, i) => ({
    ancestorTitles: ["d"],
    title: `t${i}`,
    fullName: `d t${i}`,
    status,
    duration: 3,
    failureMessages: status === "failed" ? ["boom"] : [],
  })),
  ...extra,
});
const allFiles = (override: Record<string, string[]> = {}) =>
  [
    path.join(exercise.dir, "test/basics.test.ts"),
    path.join(exercise.dir, "test/negatives.test.ts"),
    path.join(hiddenDir, "basics.test.ts"),
    path.join(hiddenDir, "negatives.test.ts"),
  ].map((name) =>
    file(
      name,
      override[path.basename(path.dirname(name)) + "/" + path.basename(name)] ?? ["passed"],
    ),
  );
const finished = (testResults: object[], exitCode = 0, success = exitCode === 0): JestRun => ({
  kind: "finished",
  exitCode,
  output: "",
  durationMs: 5,
  json: {
    success,
    numTotalTests: 4,
    numFailedTests: success ? 0 : 1,
    numRuntimeErrorTestSuites: 0,
    testResults: testResults as never,
  },
});
const planned = { sourceDir: path.join(exercise.dir, "src"), hiddenDir, timeoutMs: 10_000 };
const plan = planRun(exercise, planned);
const score = (run: JestRun) => scoreExercise(plan, run);
/** The plan of a wrong solution's grading in verify: it stops at its first failing test. */
const bailing = planRun(exercise, { ...planned, bail: true });

describe("scoring", () => {
  it("gives a stage points × passed ÷ total over visible and hidden tests", () => {
    const result = score(
      finished(allFiles({ "hidden/negatives.test.ts": ["passed", "failed"] }), 1),
    );
    expect(result.stages.map((s) => [s.passed, s.total, s.score])).toEqual([
      [2, 2, 10],
      [2, 3, 13.33],
    ]);
    expect(result).toMatchObject({ status: "failed", score: 23.33, maxScore: 30 });
  });

  it("is an error when an expected test file is missing from the results", () => {
    const result = score(finished(allFiles().slice(0, 3)));
    expect(result).toMatchObject({
      status: "error",
      score: 0,
      reason: "hidden/negatives.test.ts did not run",
    });
  });

  it("scores a run that bailed on the files that ran, only once a test failed", () => {
    const stopped = allFiles({ "hidden/basics.test.ts": ["failed"] }).slice(0, 3);
    expect(scoreExercise(bailing, finished(stopped, 1))).toMatchObject({ status: "failed" });
    // Without a failure, a missing file is no bail: the run cannot be trusted.
    expect(scoreExercise(bailing, finished(allFiles().slice(0, 3)))).toMatchObject({
      status: "error",
      reason: "hidden/negatives.test.ts did not run",
    });
  });

  it("leaves out the tests a bailed run skipped after its first failure, and only those", () => {
    const skippedAfter = allFiles({ "hidden/basics.test.ts": ["passed", "failed", "pending"] });
    const result = scoreExercise(bailing, finished(skippedAfter.slice(0, 3), 1));
    expect(result).toMatchObject({ status: "failed" });
    expect(result.stages[0]).toMatchObject({ passed: 2, total: 3 });
    // A skipped test without a failure, or in a run that does not bail, still proves nothing.
    const skippedOnly = allFiles({ "hidden/basics.test.ts": ["passed", "pending"] });
    expect(scoreExercise(bailing, finished(skippedOnly)).reason).toMatch(/a test was skipped/);
    expect(score(finished(skippedAfter, 1)).reason).toMatch(/a test was skipped/);
  });

  it("is an error when Jest says success but exits non-zero, and when nothing ran", () => {
    expect(score(finished(allFiles(), 1, true)).reason).toBe(
      "Jest reported success but exited with code 1",
    );
    const empty: JestRun = {
      kind: "finished",
      exitCode: 1,
      output: "",
      durationMs: 1,
      json: {
        success: false,
        numTotalTests: 0,
        numFailedTests: 0,
        numRuntimeErrorTestSuites: 0,
        testResults: [],
      },
    };
    expect(score(empty)).toMatchObject({ status: "error", reason: "no test ran" });
  });

  it("is an error when the process left no results, naming process.exit when it was called", () => {
    const run: JestRun = {
      kind: "no-results",
      exitCode: 0,
      signal: null,
      output: 'process.exit called with "0"',
      durationMs: 1,
    };
    expect(score(run).reason).toBe(
      "the test process exited with code 0 before reporting results (the code called process.exit(0))",
    );
  });
});

describe("hidden test messages", () => {
  it("keep the assertion, drop stack frames, code frames and the hidden path", () => {
    const raw = [
      "Error: expect(received).toBe(expected) // Object.is equality",
      "",
      "Expected: 2",
      "Received: 8",
      "    at Object.<anonymous> (/repo/exercises/x/.meta/hidden/a.test.ts:4:24)",
      "  > 4 |     expect(add(5, -3)).toBe(2);",
      "      |                        ^",
      "see /repo/exercises/x/.meta/hidden for more",
    ].join("\n");
    const message = hiddenTestMessage(raw, ["/repo/exercises/x/.meta/hidden"]);
    expect(message).toBe(
      "Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 8\nsee <hidden> for more",
    );
  });
});

describe("names, shards and merging", () => {
  it("suggests the closest names", () => {
    expect(closestNames("rate-limitng", ["rate-limiting", "caching", "database"])).toEqual([
      "rate-limiting",
    ]);
  });

  it("splits exercises into disjoint shards", () => {
    const all = ["a", "b", "c", "d", "e"];
    const shards = [1, 2, 3].map((i) => shardOf(all, parseShard(`${i}/3`)));
    expect(shards.flat().sort()).toEqual(all);
    expect(() => parseShard("0/3")).toThrow(/--shard wants/);
  });

  it("refuses to merge reports that grade the same exercise twice", () => {
    const report = buildReport([score(finished(allFiles()))], "learner");
    expect(() => mergeReports([report, report])).toThrow(/"partial" is in more than one report/);
  });

  it("writes valid JUnit XML even for hostile test names", () => {
    const result = score(finished(allFiles()));
    result.stages[0]!.tests[0]!.name = 'a <b> & "c" \u0001 ]]>';
    result.stages[0]!.tests[0]!.status = "failed";
    result.stages[0]!.tests[0]!.message = "</failure><script>";
    expect(XMLValidator.validate(junitReport(buildReport([result], "learner")))).toBe(true);
  });
});
