import { plainText } from "../reports/escape-markup";
import type { GradeReport } from "../score/grade-result";

/** How much `failureList` prints: tests per stage, lines per message, tests in all. */
export const FAILURE_LIST_LIMITS = Object.freeze({ perStage: 3, messageLines: 6, total: 12 });

/**
 * The failing tests of a grade, for the terminal after the score table: exercise by exercise,
 * stage by stage in the exercise's order (so the first stage not yet passed comes first), each
 * test's title (with the rules it cites), whether it is visible or hidden, and its message: what
 * it expected and what it saw. Cut at FAILURE_LIST_LIMITS, saying how many tests were left out.
 * Exercises that could not be graded are left to the table, which gives their reason. Text the
 * submission controls is stripped of control characters. Empty when nothing failed.
 */
export function failureList(report: GradeReport): string {
  const lines: string[] = [];
  let shown = 0;
  let left = 0;
  for (const exercise of report.exercises) {
    if (exercise.status !== "passed" && exercise.status !== "failed") continue;
    for (const stage of exercise.stages) {
      const failed = stage.tests.filter((t) => t.status === "failed");
      if (failed.length === 0) continue;
      const room = Math.min(FAILURE_LIST_LIMITS.perStage, FAILURE_LIST_LIMITS.total - shown);
      if (room <= 0) {
        left += failed.length;
        continue;
      }
      lines.push("", `${exercise.slug} › ${stage.id} (${stage.passed} / ${stage.total} passed)`);
      // Tests that fail on a stub say only which part is not implemented yet: one line for them all.
      const stubbed = new Map<string, number>();
      const others: typeof failed = [];
      for (const test of failed) {
        const message = plainText((test.message ?? "").trim());
        if (NOT_IMPLEMENTED.test(message)) stubbed.set(message, (stubbed.get(message) ?? 0) + 1);
        else others.push(test);
      }
      const entries = [
        ...[...stubbed].map(([message, count]) => ({ message, count })),
        ...others.map((test) => ({ test })),
      ];
      for (const entry of entries.slice(0, room)) {
        if ("message" in entry) {
          lines.push(
            `  ✗ ${entry.count === 1 ? "1 test" : `${entry.count} tests`}: ${entry.message}`,
          );
          continue;
        }
        lines.push(`  ✗ ${plainText(entry.test.name)} (${entry.test.visibility})`);
        lines.push(...messageLines(entry.test.message).map((line) => `      ${line}`));
      }
      shown += Math.min(room, entries.length);
      const notShown = entries
        .slice(room)
        .reduce((sum, entry) => sum + ("message" in entry ? entry.count : 1), 0);
      if (notShown > 0) {
        lines.push(`  … and ${notShown} more failing in this stage`);
        left += notShown;
      }
    }
  }
  if (lines.length === 0) return "";
  const more =
    left > 0 ? [`${left} more failing tests are in the reports (--json, --markdown).`] : [];
  return ["Failing tests:", ...lines, ...(more.length > 0 ? ["", ...more] : [])].join("\n");
}

/** The one-line message of a test that failed on a stub (the testkit's not-implemented.ts). */
const NOT_IMPLEMENTED = /^not implemented yet\b[^\n]*$/;

/** A message's non-empty lines, at most FAILURE_LIST_LIMITS.messageLines of them. */
function messageLines(message: string | undefined): string[] {
  const all = plainText(message ?? "no message")
    .split("\n")
    .map((l) => l.trimEnd())
    .filter(Boolean);
  const kept = all.slice(0, FAILURE_LIST_LIMITS.messageLines);
  return all.length > kept.length ? [...kept, `… (${all.length - kept.length} more lines)`] : kept;
}
