import { statSync } from "node:fs";
import { percent } from "../score/grade-result";
import { mergeReports, readReport } from "../reports/json-report";
import { writeReports, type ReportFiles } from "../reports/write-reports";
import { resultTable } from "../terminal/result-table";
import { parseNumber } from "../terminal/parse-number";
import type { Places } from "../repo-paths";
import { places as defaultPlaces } from "../repo-paths";
import { UsageError } from "../terminal/usage-error";
import { mergeClassFolders } from "../class/merge-class";

/**
 * `sandbox merge a.json b.json --json all.json ...`: the reports of N shards as one; `sandbox merge
 * DIR1 DIR2 --out DIR`: the class folders of `grade-class --shard` as one (class/merge-class.ts).
 */
export async function mergeCommand(
  files: string[],
  options: ReportFiles & { minScore?: string; out?: string },
  places: Places = defaultPlaces(),
): Promise<number> {
  const folders = files.filter((file) => statSync(file, { throwIfNoEntry: false })?.isDirectory());
  if (folders.length > 0) {
    if (folders.length !== files.length)
      throw new UsageError("merge joins JSON reports or class folders, not both at once");
    await mergeClassFolders(places, folders, options.out, (line) =>
      process.stderr.write(`${line}\n`),
    );
    return 0;
  }
  if (options.out) throw new UsageError("--out is for class folders of grade-class");
  const minScore =
    options.minScore === undefined
      ? undefined
      : parseNumber("--min-score", options.minScore, 0, 100);
  const report = mergeReports(files.map(readReport));
  process.stdout.write(`${resultTable(report)}\n`);
  for (const file of writeReports(report, options)) process.stderr.write(`wrote ${file}\n`);
  return minScore !== undefined && percent(report.score, report.maxScore) < minScore ? 1 : 0;
}
