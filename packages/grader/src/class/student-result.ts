import { existsSync } from "node:fs";
import path from "node:path";
import { readJsonState, writeJsonState } from "@backend-sandbox/testkit/json-state";
import type { GradeReport } from "../score/grade-result";
import type { RosterEntry } from "./roster";

/**
 * What `grade-class` keeps per student in `DIR/students/<student_id>.json` (docs/grading.md,
 * "Grading a class"). `graded` carries the submission's report; `error` means no grade was given
 * (a repository that could not be read, a machine failure that persisted) and says why, never 0.
 */
export interface StudentResult {
  schemaVersion: 1;
  studentId: string;
  name: string;
  repository: string;
  status: "graded" | "error";
  /** Only for `error`: why there is no grade. */
  reason?: string;
  /** The commit graded (or that failed to grade), when one was found. */
  commit?: string;
  /** Its committer date, ISO 8601 UTC: the submission timestamp. */
  committedAt?: string;
  /** grader-version.ts: a change of the tests or the grader regrades. */
  graderVersion: string;
  /** Slugs graded, in order. */
  exercises: string[];
  gradedAt: string;
  /** For `graded`: the JSON report of the submission (mode `submission`); for `error`, what was graded. */
  report?: GradeReport;
}

/** What decides whether a stored result is still the grade: the same student, commit, grader and exercises. */
export interface ResultKey {
  repository: string;
  commit: string;
  graderVersion: string;
  exercises: string[];
}

export function studentFile(outDir: string, studentId: string, extension = "json"): string {
  return path.join(outDir, "students", `${studentId}.${extension}`);
}

/** The stored result of a student, or undefined when there is none (or it is unreadable). */
export function readStudentResult(outDir: string, studentId: string): StudentResult | undefined {
  const file = studentFile(outDir, studentId);
  if (!existsSync(file)) return undefined;
  const stored = readJsonState(file) as Partial<StudentResult>;
  return stored.schemaVersion === 1 && stored.studentId === studentId
    ? (stored as StudentResult)
    : undefined;
}

/** Written whole or not at all (a temporary file renamed over it): Ctrl-C never leaves half a result. */
export function writeStudentResult(outDir: string, result: StudentResult): void {
  writeJsonState(studentFile(outDir, result.studentId), result);
}

/** A stored grade still stands: graded, of this commit, by this grader, for these exercises. */
export function stillCurrent(stored: StudentResult | undefined, key: ResultKey): boolean {
  return (
    stored?.status === "graded" &&
    stored.repository === key.repository &&
    stored.commit === key.commit &&
    stored.graderVersion === key.graderVersion &&
    stored.exercises.join(",") === key.exercises.join(",")
  );
}

/** A result with no grade: the student's row shows `error` and the reason. */
export function errorResult(
  student: RosterEntry,
  reason: string,
  common: { graderVersion: string; exercises: string[] },
  found: { commit?: string; committedAt?: string; report?: GradeReport } = {},
): StudentResult {
  return {
    schemaVersion: 1,
    studentId: student.studentId,
    name: student.name,
    repository: student.repository,
    status: "error",
    reason,
    ...found,
    ...common,
    gradedAt: new Date().toISOString(),
  };
}
