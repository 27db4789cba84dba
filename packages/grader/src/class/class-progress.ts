import { plainText } from "../reports/escape-markup";
import { resultLine } from "../terminal/progress";
import type { ExerciseResult } from "../score/grade-result";
import type { RosterEntry } from "./roster";
import type { StudentResult } from "./student-result";

/**
 * Plain lines on stderr while a class is graded (several students at once cannot share one
 * spinner): the canary, each student as they start and finish, and the end. Text from the roster
 * or a submission has its control characters removed.
 */
export class ClassProgress {
  constructor(
    private readonly count: number,
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  note(text: string): void {
    this.stream.write(`${text}\n`);
  }

  canary(result: ExerciseResult): void {
    this.note(`canary: ${resultLine(result)}`);
  }

  started(position: number, student: RosterEntry, commit: string, committedAt: string): void {
    this.note(
      `${this.at(position, student)}: grading ${commit.slice(0, 10)} (committed ${committedAt})...`,
    );
  }

  finished(position: number, student: RosterEntry, result: StudentResult, kept = false): void {
    const report = result.report;
    const what =
      result.status === "error"
        ? `error: ${plainText(result.reason ?? "").replace(/\s+/g, " ")}`
        : `${kept ? "kept" : "graded"} ${result.commit!.slice(0, 10)}: ${report!.score}/${report!.maxScore} points${kept ? " (graded before by this grader)" : ""}`;
    this.note(`${this.at(position, student)}: ${what}`);
  }

  private at(position: number, student: RosterEntry): string {
    const name = student.name ? ` ${plainText(student.name).replace(/\s+/g, " ")}` : "";
    return `[${position}/${this.count}] ${student.studentId}${name}`;
  }
}
