import { GradingCost } from "../src/score/grading-cost";

describe("the cost of verifying an exercise", () => {
  it("sums each exercise's grading time by kind and states the run's total", () => {
    const cost = new GradingCost();
    cost.add("caching", "solution", 21_900);
    cost.add("caching", "stub", 13_500);
    cost.add("caching", "wrong", 60_000);
    cost.add("caching", "wrong", 76_400);
    cost.add("gateway", "wrong", 8_700);
    expect(cost.line("caching")).toBe(
      "cost: 4 gradings, 172 s of grading (solution 22 s, stub 14 s, 2 wrong solutions 136 s)",
    );
    expect(cost.line("database")).toBeUndefined();
    expect(cost.summary(2, 95.2)).toBe(
      "grading time: 181 s over 2 exercises (90 s an exercise on average), 95 s wall at 2 at a time",
    );
    expect(JSON.parse(JSON.stringify(cost)).gateway).toEqual({
      solution: { gradings: 0, seconds: 0 },
      stub: { gradings: 0, seconds: 0 },
      wrong: { gradings: 1, seconds: 8.7 },
    });
  });
});
