// The grader's public surface, for scripts and tests that grade without going through the CLI.
export {
  loadExercise,
  manifestSchema,
  maxScore,
  type Exercise,
  type ExerciseManifest,
  type Stage,
} from "./exercise/manifest";
export { exerciseSlugs, resolveExercises, shardOf, parseShard } from "./exercise/catalog";
export { GradingSession, type SessionOptions } from "./run/grading-session";
export { scoreExercise, ungradedResult } from "./score/score";
export { planRun, type RunPlan } from "./run/run-plan";
export { runJest, type JestRun, type JestJson } from "./run/run-jest";
export { structureChecks, type Check } from "./exercise/structure-checks";
export { buildReport, mergeReports, readReport, jsonReport } from "./reports/json-report";
export { junitReport } from "./reports/junit-report";
export { markdownReport } from "./reports/markdown-report";
export { gradescopeReport } from "./reports/gradescope-report";
export { htmlReport } from "./reports/html-report";
export { writeReports, type ReportFiles } from "./reports/write-reports";
export { places, REPO_ROOT, type Places } from "./repo-paths";
export { UsageError, ManifestError } from "./terminal/usage-error";
export type {
  ExerciseResult,
  GradeReport,
  StageResult,
  TestResult,
  ExerciseStatus,
  GradingMode,
} from "./score/grade-result";
