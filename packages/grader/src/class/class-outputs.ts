import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { readJsonState, writeJsonState, writeWhole } from "@backend-sandbox/testkit/json-state";
import type { Exercise } from "../exercise/manifest";
import { UsageError } from "../terminal/usage-error";
import { gradesCsv } from "./grades-csv";
import type { RosterEntry } from "./roster";
import { studentPage } from "./student-page";
import { errorResult, readStudentResult, studentFile, type StudentResult } from "./student-result";
import { summaryPage } from "./summary-page";

/**
 * `DIR/class.json`: what a class folder was graded from. `sandbox merge` joins shard folders only
 * when these agree (but the shard), and needs nothing else: the whole roster is in here.
 */
export interface ClassSettings {
  schemaVersion: 1;
  assignment: string;
  deadline?: string;
  exercises: string[];
  graderVersion: string;
  roster: { file: string; sha256: string; students: RosterEntry[] };
  shard?: { index: number; count: number };
}

export const CLASS_FILE = "class.json";

export function rosterDigest(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

export function writeClassSettings(outDir: string, settings: ClassSettings): void {
  writeJsonState(path.join(outDir, CLASS_FILE), settings);
}

export function readClassSettings(dir: string): ClassSettings {
  const settings = readJsonState(path.join(dir, CLASS_FILE)) as Partial<ClassSettings>;
  if (settings.schemaVersion !== 1 || !settings.roster || !Array.isArray(settings.exercises))
    throw new UsageError(`${dir}: no ${CLASS_FILE} of grade-class in this folder`);
  return settings as ClassSettings;
}

/**
 * Writes what a class folder shows from the stored student results of `students` (roster order):
 * each `students/<id>.html`, `grades.csv` and `summary.html`. A student with no stored result (a
 * run stopped before reaching them) shows as `error`. Returns the results it used.
 */
export async function writeClassOutputs(
  outDir: string,
  settings: ClassSettings,
  exercises: readonly Exercise[],
  students: readonly RosterEntry[],
): Promise<StudentResult[]> {
  mkdirSync(path.join(outDir, "students"), { recursive: true });
  const results = students.map(
    (student) =>
      readStudentResult(outDir, student.studentId) ??
      errorResult(student, "not graded: no run reached this student", {
        graderVersion: settings.graderVersion,
        exercises: settings.exercises,
      }),
  );
  for (const result of results)
    writeWhole(studentFile(outDir, result.studentId, "html"), studentPage(result));
  writeWhole(path.join(outDir, "grades.csv"), gradesCsv(settings.assignment, exercises, results));
  writeWhole(
    path.join(outDir, "summary.html"),
    await summaryPage({
      assignment: settings.assignment,
      deadline: settings.deadline,
      graderVersion: settings.graderVersion,
      exercises,
      students: results,
    }),
  );
  return results;
}
