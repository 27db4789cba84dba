import { percent } from "../score/grade-result";
import { mergeReports, readReport } from "../reports/json-report";
import { writeReports, type ReportFiles } from "../reports/write-reports";
import { resultTable } from "../terminal/result-table";
import { parseNumber } from "../terminal/parse-number";

/** `sandbox merge a.json b.json --json all.json ...`: the reports of N shards as one. */
export async function mergeCommand(
  files: string[],
  options: ReportFiles & { minScore?: string },
): Promise<number> {
  const minScore =
    options.minScore === undefined
      ? undefined
      : parseNumber("--min-score", options.minScore, 0, 100);
  const report = mergeReports(files.map(readReport));
  process.stdout.write(`${resultTable(report)}\n`);
  for (const file of writeReports(report, options)) process.stderr.write(`wrote ${file}\n`);
  return minScore !== undefined && percent(report.score, report.maxScore) < minScore ? 1 : 0;
}
