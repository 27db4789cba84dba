import type { ExerciseResult, TestResult } from "../src/index";

/**
 * A graded exercise of one 10-point stage, `basics`, for the reports' tests: `test` is its one
 * failed visible test (fields over a default), or `null` for a stage with no test (an exercise
 * that could not be graded).
 */
export function failedExercise(options: {
  slug: string;
  status?: ExerciseResult["status"];
  reason?: string;
  test: Partial<TestResult> | null;
}): ExerciseResult {
  const { slug, status = "failed", reason, test } = options;
  const tests: TestResult[] = test
    ? [
        {
          name: "adds",
          file: "test/basics.test.ts",
          visibility: "visible",
          status: "failed",
          durationMs: 1,
          ...test,
        },
      ]
    : [];
  return {
    slug,
    title: slug[0]!.toUpperCase() + slug.slice(1),
    status,
    ...(reason ? { reason } : {}),
    score: 0,
    maxScore: 10,
    durationMs: 1,
    stages: [
      {
        id: "basics",
        title: "Basics",
        points: 10,
        score: 0,
        passed: 0,
        total: tests.length,
        tests,
      },
    ],
  };
}
