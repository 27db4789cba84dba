import { stringify } from "csv-stringify/sync";
import type { Exercise } from "../exercise/manifest";
import { plainText } from "../reports/escape-markup";
import type { StudentResult } from "./student-result";

/**
 * GitHub Classroom's grade export columns, in its order (its "Download grades" CSV and the REST
 * API's `GET /assignments/{id}/grades`), so a gradebook import made for it takes this file.
 */
export const CLASSROOM_COLUMNS = [
  "assignment_name",
  "assignment_url",
  "starter_code_url",
  "github_username",
  "roster_identifier",
  "student_repository_name",
  "student_repository_url",
  "submission_timestamp",
  "points_awarded",
  "points_available",
] as const;

/**
 * `grades.csv`: one row per student in roster order, GitHub Classroom's columns first, then the
 * student's name, `status` (graded or error), `reason`, the commit graded, and a column per
 * exercise (`<slug>`) and per stage (`<slug>/<stage>`) with the points scored. A student in
 * `error` has no points anywhere: a failure to grade is not a zero. Text cells that a spreadsheet
 * would read as a formula (`=`, `+`, `-`, `@`, tab) get a leading `'` (OWASP's CSV injection advice).
 */
export function gradesCsv(
  assignment: string,
  exercises: readonly Exercise[],
  students: readonly StudentResult[],
): string {
  const stages = exercises.flatMap((e) =>
    e.manifest.stages.map((s) => ({ exercise: e, stage: s })),
  );
  const available = exercises.reduce(
    (sum, e) => sum + e.manifest.stages.reduce((n, s) => n + s.points, 0),
    0,
  );
  const header = [
    ...CLASSROOM_COLUMNS,
    "student_name",
    "status",
    "reason",
    "commit",
    ...exercises.map((e) => e.slug),
    ...stages.map(({ exercise, stage }) => `${exercise.slug}/${stage.id}`),
  ];
  const rows = students.map((student) => {
    const graded = student.status === "graded" ? student.report : undefined;
    const exercise = (slug: string) => graded?.exercises.find((e) => e.slug === slug);
    return [
      assignment,
      "",
      "",
      "",
      student.studentId,
      repositoryName(student.repository),
      cell(student.repository),
      student.committedAt ? classroomTime(student.committedAt) : "",
      graded ? String(graded.score) : "",
      String(available),
      cell(student.name),
      student.status,
      cell(student.reason ?? ""),
      student.commit ?? "",
      ...exercises.map((e) => points(exercise(e.slug)?.score)),
      ...stages.map(({ exercise: e, stage }) =>
        points(exercise(e.slug)?.stages.find((s) => s.id === stage.id)?.score),
      ),
    ];
  });
  return stringify([header, ...rows], { record_delimiter: "unix" });
}

function points(value: number | undefined): string {
  return value === undefined ? "" : String(value);
}

/** GitHub Classroom writes `2022-09-18 23:59:59 UTC`. */
function classroomTime(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

/** `https://github.com/org/hw1-ada.git` → `hw1-ada`; a folder's last part. */
function repositoryName(repository: string): string {
  const last =
    repository
      .replace(/[/\\]+$/, "")
      .split(/[/\\:]/)
      .at(-1) ?? "";
  return cell(last.replace(/\.git$/, ""));
}

function cell(text: string): string {
  const plain = plainText(text).replace(/\s*\n\s*/g, " ");
  return /^[=+\-@\t\r]/.test(plain) ? `'${plain}` : plain;
}
