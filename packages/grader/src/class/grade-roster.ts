import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import type { Exercise } from "../exercise/manifest";
import { isShippedStubIn } from "../exercise/stub-digest";
import { buildReport } from "../reports/json-report";
import type { GradingSession } from "../run/grading-session";
import type { ExerciseResult } from "../score/grade-result";
import { notStartedResult } from "../score/score";
import type { ClassProgress } from "./class-progress";
import { machineFailure } from "./machine-failure";
import type { RosterEntry } from "./roster";
import { studentPage } from "./student-page";
import { checkoutAtDeadline, type CheckedOut, type NotCheckedOut } from "./submission-checkout";
import { writeWhole } from "@backend-sandbox/testkit/json-state";
import {
  errorResult,
  readStudentResult,
  stillCurrent,
  studentFile,
  writeStudentResult,
  type StudentResult,
} from "./student-result";

/** A failure of the machine (a network blip, a service slow to start) is tried again after this. */
const RETRY_PAUSE_MS = 2000;

export interface RosterRun {
  session: GradingSession;
  signal: AbortSignal;
  exercises: readonly Exercise[];
  /** The students of this run (this shard's), in roster order. */
  students: readonly RosterEntry[];
  rosterDir: string;
  outDir: string;
  /** Clones go here; the caller removes it. */
  scratch: string;
  deadline?: Date;
  graderVersion: string;
  jobs: number;
  regrade: boolean;
  progress: ClassProgress;
}

export interface RosterTally {
  graded: number;
  kept: number;
  errors: number;
  /** Graded, but the result could not be written (a full disk): graded again next run. */
  unrecorded: number;
}

/**
 * Grades every student of the run: their repository at the deadline, each exercise sealed, `jobs`
 * gradings (one exercise of one submission each) at once, the earlier students' first; an exercise
 * whose src/ is the stub as shipped is `not-started`, 0 points, without a grading. A stored
 * result of the same commit, grader version and exercises is kept unless `regrade`. Each student's
 * result is written whole as soon as they are done, so Ctrl-C loses nothing finished; after an
 * interruption, or once the trusted checkout changed, nothing more is recorded. A clone or a
 * grading that failed for the machine's sake is tried once more, then the student is `error`.
 */
export async function gradeRoster(run: RosterRun): Promise<RosterTally> {
  const gradings = pLimit(run.jobs);
  // One student more than gradings: the next repository is cloned while the others grade.
  const students = pLimit(run.jobs + 1);
  const tally: RosterTally = { graded: 0, kept: 0, errors: 0, unrecorded: 0 };
  const common = { graderVersion: run.graderVersion, exercises: run.exercises.map((e) => e.slug) };
  const halted = () => run.signal.aborted || Boolean(run.session.stopped);

  /** Grades one exercise of a submission in its turn; `started` runs as its grading begins. */
  const gradeOnce = (exercise: Exercise, dir: string, started: () => void) =>
    gradings(() => {
      started();
      return run.session.grade(exercise, { kind: "submission", dir });
    });
  const gradeExercise = async (
    exercise: Exercise,
    dir: string,
    started: () => void,
  ): Promise<ExerciseResult> => {
    // An exercise the student left as shipped scores 0 without a run, as at a learner's desk: a
    // sealed grading of a stub costs nearly what a solution's does, every test failing in turn.
    if (isShippedStubIn(exercise, path.join(dir, "exercises", exercise.slug)))
      return notStartedResult(exercise);
    const first = await gradeOnce(exercise, dir, started);
    if (!machineFailure(first) || halted()) return first;
    await sleep(RETRY_PAUSE_MS);
    return gradeOnce(exercise, dir, started);
  };

  const record = (position: number, student: RosterEntry, result: StudentResult, kept = false) => {
    if (!kept) {
      try {
        writeStudentResult(run.outDir, result);
        writeWhole(studentFile(run.outDir, student.studentId, "html"), studentPage(result));
      } catch (error) {
        // A full disk: nothing is recorded for this student, and the next run grades them again.
        tally.unrecorded++;
        const why = (error as Error).message.split("\n")[0];
        return run.progress.note(`[${position}] ${student.studentId}: not recorded: ${why}`);
      }
    }
    if (kept) tally.kept++;
    else if (result.status === "graded") tally.graded++;
    else tally.errors++;
    run.progress.finished(position, student, result, kept);
  };

  const gradeStudent = async (student: RosterEntry, position: number): Promise<void> => {
    if (halted()) return;
    let fetched: CheckedOut | NotCheckedOut = await checkout(student);
    if (!fetched.ok && fetched.machine && !halted()) {
      await sleep(RETRY_PAUSE_MS);
      const retried = await checkout(student);
      fetched = retried.ok ? retried : { ...retried, reason: `${retried.reason} (tried twice)` };
    }
    if (halted()) return fetched.ok ? fetched.dispose() : undefined;
    if (!fetched.ok) return record(position, student, errorResult(student, fetched.reason, common));
    try {
      const found = { commit: fetched.commit, committedAt: fetched.committedAt };
      const stored = readStudentResult(run.outDir, student.studentId);
      if (
        !run.regrade &&
        stillCurrent(stored, { repository: student.repository, ...found, ...common })
      )
        return record(position, student, stored!, true);
      const { dir, commit, committedAt } = fetched;
      let announced = false;
      const started = () => {
        if (!announced) run.progress.started(position, student, commit, committedAt);
        announced = true;
      };
      const results = await Promise.all(run.exercises.map((e) => gradeExercise(e, dir, started)));
      if (halted()) return; // interrupted or the checkout changed: this grade is not recorded
      const report = buildReport(results, "submission");
      const failure = results.find((r) => machineFailure(r));
      record(
        position,
        student,
        failure
          ? errorResult(student, `${failure.slug}: ${failure.reason} (tried twice)`, common, {
              ...found,
              report,
            })
          : {
              schemaVersion: 1,
              studentId: student.studentId,
              name: student.name,
              repository: student.repository,
              status: "graded",
              ...found,
              ...common,
              gradedAt: new Date().toISOString(),
              report,
            },
      );
    } finally {
      fetched.dispose();
    }
  };

  const checkout = (student: RosterEntry) =>
    checkoutAtDeadline(student.repository, run.rosterDir, run.scratch, run.deadline);

  await Promise.all(run.students.map((student, i) => students(() => gradeStudent(student, i + 1))));
  return tally;
}

/** The folder the roster's relative repository paths are read from. */
export function rosterDirOf(rosterFile: string): string {
  return path.dirname(path.resolve(rosterFile));
}
