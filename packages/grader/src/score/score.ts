import path from "node:path";
import { stageOfFile } from "@backend-sandbox/testkit/runner";
import { maxScore, type Exercise } from "../exercise/manifest";
import type { JestFileResult, JestJson, JestRun } from "../run/run-jest";
import type { RunPlan } from "../run/run-plan";
import { cleanMessage, hiddenTestMessage } from "./failure-message";
import { round, type ExerciseResult, type StageResult, type TestResult } from "./grade-result";

/**
 * An exercise that could not be graded (status error or timeout), or was not started: 0 points,
 * every stage empty. Grading never turns a run it cannot trust into a score.
 */
export function ungradedResult(
  exercise: Exercise,
  status: "error" | "timeout" | "not-started",
  reason: string,
  durationMs: number,
): ExerciseResult {
  return {
    slug: exercise.slug,
    title: exercise.manifest.title,
    status,
    reason,
    score: 0,
    maxScore: maxScore(exercise.manifest),
    durationMs,
    stages: exercise.manifest.stages.map((s) => ({
      id: s.id,
      title: s.title,
      points: s.points,
      score: 0,
      passed: 0,
      total: 0,
      tests: [],
    })),
  };
}

/** Why a not-started exercise has no grade: for the table and the reports. */
export const NOT_STARTED_REASON = "src/ is the stub as shipped, so its tests were not run";

/** An exercise whose src/ is the stub as shipped (stub-digest.ts), graded 0 without a run. */
export function notStartedResult(exercise: Exercise): ExerciseResult {
  return ungradedResult(exercise, "not-started", NOT_STARTED_REASON, 0);
}

/**
 * Scores one exercise from its Jest run, in three steps: is the run trustworthy, collect its
 * tests by stage, score the stages. A stage scores points × (passed ÷ total) over its visible and
 * hidden tests. Anything that makes the count untrustworthy (no results, a file that could not
 * run, no test at all, a skipped, todo or focused test, a planned file missing) is an `error`
 * scoring 0, never a pass. A run that bails (`plan.bail`) stops at its first failing test: the
 * rest of that file is skipped and later files are missing. It is scored on the tests that ran,
 * and can only be `failed`; so is a run of the tests citing `plan.rules` alone.
 */
export function scoreExercise(plan: RunPlan, run: JestRun): ExerciseResult {
  const zero = (status: "error" | "timeout", reason: string) =>
    ungradedResult(plan.exercise, status, reason, run.durationMs);
  if (run.kind === "timeout")
    return zero(
      "timeout",
      `did not finish within the time limit of ${plan.timeoutMs / 1000} s and was stopped`,
    );
  if (run.kind === "no-results") {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    return zero(
      "error",
      `the test process ${how} before reporting results${earlyExitHint(run.output)}`,
    );
  }
  const files = new TestFiles(plan);
  const distrust = untrustworthy(plan, run.json, files);
  if (distrust) return zero("error", distrust);
  const collected = collectTests(plan, run.json, files);
  if (typeof collected === "string") return zero("error", collected);
  if (run.exitCode !== 0 && run.json.success)
    return zero("error", `Jest reported success but exited with code ${run.exitCode}`);
  const stages = scoreStages(plan.exercise, collected);
  return {
    slug: plan.exercise.slug,
    title: plan.exercise.manifest.title,
    status: stages.every((s) => s.total > 0 && s.passed === s.total) ? "passed" : "failed",
    score: round(stages.reduce((sum, s) => sum + s.score, 0)),
    maxScore: maxScore(plan.exercise.manifest),
    durationMs: run.durationMs,
    stages,
  };
}

/**
 * The result of a run limited to one stage (`grade --stage`), as that stage alone: its score out
 * of its points, passed when all its tests passed. The other stages were not run, so they are left
 * out rather than shown as 0.
 */
export function onlyStage(result: ExerciseResult, stageId: string): ExerciseResult {
  const stages = result.stages.filter((s) => s.id === stageId);
  const stage = stages[0]!;
  const graded = result.status === "passed" || result.status === "failed";
  return {
    ...result,
    stage: stageId,
    stages,
    score: stage.score,
    maxScore: stage.points,
    status: !graded
      ? result.status
      : stage.total > 0 && stage.passed === stage.total
        ? "passed"
        : "failed",
  };
}

/** How a run's files are shown and treated: hidden ones by their place under hidden/, never their path. */
class TestFiles {
  readonly hiddenPaths: string[];
  constructor(private readonly plan: RunPlan) {
    this.hiddenPaths = plan.hiddenDir ? [plan.hiddenDir] : [];
  }
  isHidden(file: string): boolean {
    return this.plan.hiddenDir !== undefined && file.startsWith(this.plan.hiddenDir + path.sep);
  }
  display(file: string): string {
    return this.isHidden(file)
      ? `hidden/${path.relative(this.plan.hiddenDir!, file)}`
      : path.relative(this.plan.exercise.dir, file);
  }
}

/** Why the run's counts cannot be trusted, or undefined when they can. */
function untrustworthy(plan: RunPlan, json: JestJson, files: TestFiles): string | undefined {
  const broken = json.testResults.find(
    (file) =>
      file.testExecError || (file.status === "failed" && file.assertionResults.length === 0),
  );
  if (broken)
    return `${files.display(broken.name)} could not run: ${firstLines(fileError(broken), files.isHidden(broken.name) ? files.hiddenPaths : [])}`;
  if (json.wasInterrupted) return "the run was interrupted";
  if (json.numTotalTests === 0 || json.testResults.length === 0) return "no test ran";
  const reported = new Set(json.testResults.map((file) => file.name));
  const missing = plan.testFiles.find((file) => !reported.has(file));
  // A run that bailed stopped at its first failing test: the files after it never ran.
  if (missing && !bailed(plan, json)) return `${files.display(missing)} did not run`;
  return undefined;
}

/** Whether the run bailed: it may, and it stopped at a failing test (never without one). */
function bailed(plan: RunPlan, json: JestJson): boolean {
  return plan.bail && json.numFailedTests > 0;
}

/** Each test of the run under its stage, or why the run proves nothing (a skipped test, a stray file). */
function collectTests(
  plan: RunPlan,
  json: JestJson,
  files: TestFiles,
): Map<string, TestResult[]> | string {
  const stages = plan.exercise.manifest.stages;
  const tests = new Map<string, TestResult[]>(stages.map((s) => [s.id, []]));
  // A run that bailed skipped what came after its first failing test, and a run of a wrong
  // solution's rules (`plan.rules`) the tests citing none; nothing else may skip.
  const skipsAllowed = bailed(plan, json) || plan.rules !== undefined;
  // In the plan's order (visible files first, each group by path), not in the order the files
  // finished: that hangs on Jest's workers and on its record of earlier runs, and a report or a
  // failure list should not.
  const place = (name: string) => {
    const index = plan.testFiles.indexOf(name);
    return index === -1 ? Infinity : index;
  };
  const inPlanOrder = [...json.testResults].sort(
    (a, b) => place(a.name) - place(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  for (const file of inPlanOrder) {
    const stage = stageOfFile(file.name);
    const list = tests.get(stage);
    if (!list) return `${files.display(file.name)} names no stage of exercise.json ("${stage}")`;
    for (const assertion of file.assertionResults) {
      const name = [...assertion.ancestorTitles, assertion.title].join(" › ");
      if (skipsAllowed && assertion.status === "pending") continue;
      if (assertion.status !== "passed" && assertion.status !== "failed")
        return `a test was skipped, focused or left todo (status ${assertion.status}), so the run proves nothing: ${files.display(file.name)} › ${name}`;
      const hidden = files.isHidden(file.name);
      const raw = assertion.failureMessages.join("\n");
      list.push({
        name,
        file: files.display(file.name),
        visibility: hidden ? "hidden" : "visible",
        status: assertion.status,
        durationMs: Math.round(assertion.duration ?? 0),
        ...(assertion.status === "failed"
          ? { message: hidden ? hiddenTestMessage(raw, files.hiddenPaths) : cleanMessage(raw) }
          : {}),
      });
    }
  }
  return tests;
}

/** points × passed ÷ total per stage, in exercise.json's order. */
function scoreStages(exercise: Exercise, tests: Map<string, TestResult[]>): StageResult[] {
  return exercise.manifest.stages.map((stage) => {
    const stageTests = tests.get(stage.id)!;
    const passed = stageTests.filter((t) => t.status === "passed").length;
    const total = stageTests.length;
    return {
      id: stage.id,
      title: stage.title,
      points: stage.points,
      score: total === 0 ? 0 : round((stage.points * passed) / total),
      passed,
      total,
      tests: stageTests,
    };
  });
}

function fileError(file: JestFileResult): string {
  return file.testExecError?.message || file.message || "unknown error";
}

function firstLines(text: string, hiddenPaths: readonly string[]): string {
  const lines = hiddenTestMessage(text, hiddenPaths)
    .split("\n")
    .filter((line) => line.trim() && !/^\s*●/.test(line));
  const summary = lines.slice(0, 4).join(" ").replace(/\s+/g, " ").trim().slice(0, 400);
  // A worker that "crashed" with exit code 0 was ended by the code under test, not by Jest.
  return /crashed.*exitCode=0/.test(summary)
    ? `${summary} (the code under test called process.exit)`
    : summary;
}

function earlyExitHint(output: string): string {
  const exitCall = /process\.exit called with "?([^"\n]*)"?/.exec(output);
  if (exitCall) return ` (the code called process.exit(${exitCall[1]}))`;
  if (/heap out of memory|Allocation failed/i.test(output)) return " (it ran out of memory)";
  // Otherwise Jest's own complaint (a config or startup error) is the most useful thing to show.
  const said = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !/^at /.test(line))
    .slice(0, 2)
    .join(" ");
  return said ? `: ${said.slice(0, 300)}` : "";
}
