/** What grading produces; the JSON report (schemaVersion 1, docs/grading.md) is this, written out. */
export type TestStatus = "passed" | "failed";
/**
 * `not-started`: at a learner's desk, src/ is the stub as shipped (exercise.json's stubDigest), so
 * its tests were not run: 0 points, which is what verify proves a stub scores.
 */
export type ExerciseStatus = "passed" | "failed" | "error" | "timeout" | "not-started";
export type GradingMode = "learner" | "solution" | "submission" | "wrong-solution";

export interface TestResult {
  /** Describe blocks and test title, joined with " › ". */
  name: string;
  /** Relative to the exercise (`test/x.test.ts`), or `hidden/x.test.ts` for hidden tests. */
  file: string;
  visibility: "visible" | "hidden";
  status: TestStatus;
  durationMs: number;
  /** Why it failed; for hidden tests only the title and the assertion message, never source. */
  message?: string;
}

export interface StageResult {
  id: string;
  title: string;
  points: number;
  /** points × passed ÷ total, rounded to two decimals. */
  score: number;
  passed: number;
  total: number;
  tests: TestResult[];
}

export interface ExerciseResult {
  slug: string;
  title: string;
  status: ExerciseStatus;
  /** Set when status is error, timeout or not-started: why the exercise was not graded. */
  reason?: string;
  score: number;
  maxScore: number;
  durationMs: number;
  stages: StageResult[];
  /** Set when this one stage alone was graded (`--stage`): `stages` holds it, `maxScore` is its points. */
  stage?: string;
}

export interface GradeReport {
  schemaVersion: 1;
  createdAt: string;
  mode: GradingMode;
  shard?: { index: number; count: number };
  score: number;
  maxScore: number;
  exercises: ExerciseResult[];
}

export function totals(exercises: readonly ExerciseResult[]): { score: number; maxScore: number } {
  const score = exercises.reduce((sum, e) => sum + e.score, 0);
  const maxScore = exercises.reduce((sum, e) => sum + e.maxScore, 0);
  return { score: round(score), maxScore };
}

export function percent(score: number, maxScore: number): number {
  return maxScore === 0 ? 0 : round((100 * score) / maxScore);
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
