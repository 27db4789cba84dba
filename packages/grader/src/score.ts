import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { maxScore, type Exercise } from "./exercise-manifest";
import { cleanMessage, hiddenTestMessage } from "./failure-message";
import { round, type ExerciseResult, type StageResult, type TestResult } from "./grade-result";
import type { JestFileResult, JestRun } from "./run-jest";

export interface ScoreInput {
  exercise: Exercise;
  run: JestRun;
  hiddenDir?: string;
  /** False when only the hidden tests ran. */
  includeVisible?: boolean;
  timeoutMs: number;
}

/** The stage a test file belongs to: the first dot-separated part of its name. */
export function stageOfFile(file: string): string {
  return path.basename(file).split(".")[0]!;
}

/** Every `*.test.ts` under a folder (support code excluded): the files a run must report on. */
export function testFilesIn(dir: string | undefined, skip?: string): string[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !skip || !file.startsWith(skip + path.sep))
    .sort();
}

/**
 * Scores one exercise from its Jest run. A stage scores points × (passed ÷ total) over its visible
 * and hidden tests. Anything that makes the count untrustworthy (no results, a file that could not
 * run, no test at all, a skipped, todo or focused test, an expected file missing) is an `error`
 * scoring 0, never a pass.
 */
export function scoreExercise({
  exercise,
  run,
  hiddenDir,
  includeVisible = true,
  timeoutMs,
}: ScoreInput): ExerciseResult {
  const { manifest } = exercise;
  const base = {
    slug: exercise.slug,
    title: manifest.title,
    maxScore: maxScore(manifest),
    durationMs: run.durationMs,
  };
  const zero = (status: "error" | "timeout", reason: string): ExerciseResult => ({
    ...base,
    status,
    reason,
    score: 0,
    stages: manifest.stages.map((s) => ({
      id: s.id,
      title: s.title,
      points: s.points,
      score: 0,
      passed: 0,
      total: 0,
      tests: [],
    })),
  });

  if (run.kind === "timeout")
    return zero(
      "timeout",
      `did not finish within the time limit of ${timeoutMs / 1000} s and was stopped`,
    );
  if (run.kind === "no-results") {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    return zero(
      "error",
      `the test process ${how} before reporting results${earlyExitHint(run.output)}`,
    );
  }

  const { json } = run;
  const testDir = path.join(exercise.dir, "test");
  const hiddenPaths = hiddenDir ? [hiddenDir] : [];
  const isHidden = (file: string) =>
    hiddenDir !== undefined && file.startsWith(hiddenDir + path.sep);
  const display = (file: string) =>
    isHidden(file)
      ? `hidden/${path.relative(hiddenDir!, file)}`
      : path.relative(exercise.dir, file);

  const broken = json.testResults.find(
    (file) =>
      file.testExecError || (file.status === "failed" && file.assertionResults.length === 0),
  );
  if (broken)
    return zero(
      "error",
      `${display(broken.name)} could not run: ${firstLines(fileError(broken), isHidden(broken.name) ? hiddenPaths : [])}`,
    );
  if (json.wasInterrupted) return zero("error", "the run was interrupted");
  if (json.numTotalTests === 0 || json.testResults.length === 0)
    return zero("error", "no test ran");

  const reported = new Set(json.testResults.map((file) => file.name));
  const expected = [
    ...(includeVisible ? testFilesIn(testDir, path.join(testDir, "support")) : []),
    ...testFilesIn(hiddenDir),
  ];
  const missing = expected.find((file) => !reported.has(file));
  if (missing) return zero("error", `${display(missing)} did not run`);

  const stageIds = new Set(manifest.stages.map((s) => s.id));
  const tests = new Map<string, TestResult[]>(manifest.stages.map((s) => [s.id, []]));
  for (const file of json.testResults) {
    const stage = stageOfFile(file.name);
    if (!stageIds.has(stage))
      return zero("error", `${display(file.name)} names no stage of exercise.json ("${stage}")`);
    for (const assertion of file.assertionResults) {
      const name = [...assertion.ancestorTitles, assertion.title].join(" › ");
      if (assertion.status !== "passed" && assertion.status !== "failed") {
        return zero(
          "error",
          `a test was skipped, focused or left todo (status ${assertion.status}), so the run proves nothing: ${display(file.name)} › ${name}`,
        );
      }
      const hidden = isHidden(file.name);
      const raw = assertion.failureMessages.join("\n");
      tests.get(stage)!.push({
        name,
        file: display(file.name),
        visibility: hidden ? "hidden" : "visible",
        status: assertion.status,
        durationMs: Math.round(assertion.duration ?? 0),
        ...(assertion.status === "failed"
          ? { message: hidden ? hiddenTestMessage(raw, hiddenPaths) : cleanMessage(raw) }
          : {}),
      });
    }
  }
  if (run.exitCode !== 0 && json.success)
    return zero("error", `Jest reported success but exited with code ${run.exitCode}`);

  const stages: StageResult[] = manifest.stages.map((stage) => {
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
  const score = round(stages.reduce((sum, s) => sum + s.score, 0));
  const allPassed = stages.every((s) => s.total > 0 && s.passed === s.total);
  return { ...base, status: allPassed ? "passed" : "failed", score, stages };
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
