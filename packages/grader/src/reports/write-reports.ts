import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { GradeReport } from "../score/grade-result";
import { gradescopeReport } from "./gradescope-report";
import { htmlReport } from "./html-report";
import { jsonReport } from "./json-report";
import { junitReport } from "./junit-report";
import { markdownReport } from "./markdown-report";

export interface ReportFiles {
  json?: string;
  junit?: string;
  markdown?: string;
  gradescope?: string;
  html?: string;
}

const WRITERS: Record<keyof ReportFiles, (report: GradeReport) => string> = {
  json: jsonReport,
  junit: junitReport,
  markdown: markdownReport,
  gradescope: gradescopeReport,
  html: htmlReport,
};

/** Writes every report file asked for; returns the paths written. */
export function writeReports(report: GradeReport, files: ReportFiles): string[] {
  const written: string[] = [];
  for (const format of Object.keys(WRITERS) as (keyof ReportFiles)[]) {
    const file = files[format];
    if (typeof file !== "string") continue;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, WRITERS[format](report));
    written.push(file);
  }
  return written;
}
