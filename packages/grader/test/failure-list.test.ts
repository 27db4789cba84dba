import { failureList } from "../src/terminal/failure-list";
import type { GradeReport } from "../src/score/grade-result";

const test = (name: string, message: string) => ({
  name,
  status: "failed",
  visibility: "hidden",
  message,
});

/** One exercise whose stages fail with the given tests. */
function reportOf(stages: { id: string; tests: ReturnType<typeof test>[] }[]): GradeReport {
  return {
    exercises: [
      {
        slug: "rate-limiting",
        status: "failed",
        stages: stages.map((s) => ({ ...s, passed: 0, total: s.tests.length })),
      },
    ],
  } as unknown as GradeReport;
}

describe("the failing tests after the score table", () => {
  it("say once per stage what a stub has not implemented yet, with how many tests it fails", () => {
    const notYet = "not implemented yet: createRateLimiter (src/rate-limiter.ts:13)";
    const list = failureList(
      reportOf([
        {
          id: "fixed-window",
          tests: [
            ...Array.from({ length: 12 }, (_, i) => test(`[R1.${i}] t${i}`, notYet)),
            test("[R1.9] a real failure", "Expected: 429\nReceived: 200"),
          ],
        },
        { id: "headers", tests: [test("[R2.1] h", notYet)] },
      ]),
    );
    expect(list).toBe(
      [
        "Failing tests:",
        "",
        "rate-limiting › fixed-window (0 / 13 passed)",
        `  ✗ 12 tests: ${notYet}`,
        "  ✗ [R1.9] a real failure (hidden)",
        "      Expected: 429",
        "      Received: 200",
        "",
        "rate-limiting › headers (0 / 1 passed)",
        `  ✗ 1 test: ${notYet}`,
      ].join("\n"),
    );
  });

  it("cut a stage at three entries, counting the tests left out", () => {
    const list = failureList(
      reportOf([
        {
          id: "fixed-window",
          tests: [
            test("a", "not implemented yet: a"),
            test("b", "not implemented yet: b"),
            test("c", "not implemented yet: c"),
            test("d", "not implemented yet: d"),
            test("d2", "not implemented yet: d"),
          ],
        },
      ]),
    );
    expect(list).toContain("  … and 2 more failing in this stage");
    expect(list).toContain("2 more failing tests are in the reports");
  });
});
