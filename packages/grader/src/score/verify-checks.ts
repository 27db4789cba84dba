import type { Check } from "../exercise/structure-checks";
import type { ExerciseResult } from "./grade-result";

// The checks `sandbox verify` makes of a grading's result: the solution passes every test, the
// stub fails every test, a wrong solution loses points; and repeated runs joined into one check
// each.

/** One check per test: each must pass on the reference solution; an ungraded run is one failure. */
export function solutionMustPass(result: ExerciseResult): Check[] {
  if (result.status === "error" || result.status === "timeout")
    return [
      {
        ok: false,
        what: "the solution can be graded",
        detail: `${result.status}: ${result.reason}`,
      },
    ];
  const checks = result.stages.flatMap((stage) =>
    stage.tests.map((test) => ({
      ok: test.status === "passed",
      what: `solution passes ${stage.id} › ${test.name}`,
      ...(test.message ? { detail: test.message.split("\n")[0] } : {}),
    })),
  );
  const empty = result.stages.filter((s) => s.total === 0).map((s) => s.id);
  if (empty.length > 0)
    checks.push({
      ok: false,
      what: "every stage has tests",
      detail: `no tests ran for ${empty.join(", ")}`,
    });
  checks.push({
    ok: result.score === result.maxScore,
    what: `solution scores the maximum (${result.score} / ${result.maxScore})`,
  });
  return checks;
}

/** One check per test: each must fail on the stub; a hidden test that passes is named. */
export function stubMustFail(result: ExerciseResult): Check[] {
  if (result.status === "error" || result.status === "timeout")
    return [
      {
        ok: false,
        what: "the stub compiles and can be graded",
        detail: `${result.status}: ${result.reason}`,
      },
    ];
  return result.stages.flatMap((stage) =>
    stage.tests.map((test) => ({
      ok: test.status === "failed",
      what: `stub fails ${test.visibility} test ${stage.id} › ${test.name}`,
      ...(test.status === "passed" ? { detail: `${test.file} passes against the stub` } : {}),
    })),
  );
}

/**
 * Joins the checks of repeated runs: each holds only if it held in every run, and one that did
 * not says in how many runs it failed. Checks are matched by what they state, minus a trailing score.
 */
export function everyRun(runs: Check[][]): Check[] {
  if (runs.length === 1) return runs[0]!;
  const joined = new Map<string, { check: Check; failures: number; detail?: string }>();
  for (const checks of runs)
    for (const check of checks) {
      const key = check.what.replace(/ \([\d.]+ \/ [\d.]+\)$/, "");
      const seen = joined.get(key) ?? { check: { ...check, what: key }, failures: 0 };
      if (!check.ok) {
        seen.failures++;
        seen.detail ??= check.detail;
      }
      joined.set(key, seen);
    }
  return [...joined.values()].map(({ check, failures, detail }) =>
    failures === 0
      ? { ok: true, what: `${check.what} in all ${runs.length} runs` }
      : {
          ok: false,
          what: check.what,
          detail: `failed in ${failures} of ${runs.length} runs${detail ? `; first: ${detail}` : ""}`,
        },
  );
}

/**
 * A wrong solution is caught when a stage loses points. With declared stages (`Stages:` in its
 * patch) only those stages' hidden tests ran, and with declared rules (`Breaks:`) only the tests
 * citing one, so it must be caught by those. `bailed`: the run stopped at its first failing test,
 * so the counts are of the tests that ran.
 */
export function wrongSolutionCaught(
  bug: string,
  result: ExerciseResult,
  declared: { stages: string[]; breaks: string[] } = { stages: [], breaks: [] },
  bailed = false,
): Check {
  if (result.status === "error" || result.status === "timeout")
    return {
      ok: false,
      what: `wrong solution ${bug} can be graded`,
      detail: `${result.status}: ${result.reason}`,
    };
  // How many tests catch it, and which: a bug caught by one test is one flaky test from escaping.
  const losing = result.stages.filter((s) => s.total > 0 && s.passed < s.total);
  const ran = bailed ? " run" : "";
  const caughtBy = losing.map((s) => `${s.id} (${s.total - s.passed} of ${s.total} tests${ran})`);
  const catchers = losing.flatMap((s) =>
    s.tests.filter((t) => t.status !== "passed").map((t) => t.name),
  );
  const where = [
    ...(declared.stages.length > 0
      ? [`in the stages it declares (${declared.stages.join(", ")})`]
      : []),
    ...(declared.breaks.length > 0
      ? [`by the tests citing the rules it breaks (${declared.breaks.join(", ")})`]
      : []),
  ]
    .map((part) => ` ${part}`)
    .join("");
  if (caughtBy.length === 0)
    return {
      ok: false,
      what: `wrong solution ${bug} is caught${where}`,
      detail: where
        ? "it passes every one of those tests"
        : `it passes every test, ${result.score} / ${result.maxScore}`,
    };
  return {
    ok: true,
    // A run that stopped early scored only the files before its stop: its score is left out.
    what: `wrong solution ${bug} is caught by ${caughtBy.join(", ")}${where || bailed ? "" : `, ${result.score} / ${result.maxScore}`}`,
    detail:
      catchers.slice(0, 3).join("; ") +
      (catchers.length > 3 ? `; and ${catchers.length - 3} more` : ""),
  };
}
