import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { UsageError } from "../terminal/usage-error";

/** One row of the roster: a student and where their work is. */
export interface RosterEntry {
  /** 1-based line of the roster file the row ends on (a quoted field may span lines). */
  line: number;
  studentId: string;
  name: string;
  /** As written: a URL git can clone, or a folder (relative to the roster's folder); may be empty. */
  repository: string;
}

export const ROSTER_COLUMNS = ["student_id", "name", "repository"] as const;

/**
 * A student id names the files `students/<id>.json` and `.html`, so it may hold only what is safe
 * in a file name everywhere: letters, digits and `. _ @ + -`, starting with a letter or digit
 * (an e-mail address or a GitHub username fits).
 */
const STUDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

/**
 * Reads `student_id,name,repository` (a header row naming those columns, in any order; other
 * columns are ignored) with csv-parse. A malformed file, a missing column, an invalid or
 * duplicate student id is a UsageError naming the file and line (exit 2). Duplicates are found
 * ignoring case: `A1` and `a1` would be one file on a case-insensitive disk.
 */
export function readRoster(file: string): RosterEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `roster ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`,
    );
  }
  const name = path.basename(file);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UsageError(
      `${name}${line ? ` line ${line}` : ""}: not valid CSV (${(error as Error).message})`,
    );
  }
  const [header, ...records] = rows;
  if (!header) throw new UsageError(`${name}: empty roster; its header is ${ROSTER_COLUMNS}`);
  const columns = header.record.map((column) => column.toLowerCase());
  const at = ROSTER_COLUMNS.map((column) => columns.indexOf(column));
  const missing = ROSTER_COLUMNS.filter((_, i) => at[i] === -1);
  if (missing.length > 0)
    throw new UsageError(
      `${name} line ${header.info.lines}: the header lacks ${missing.join(", ")} (want ${ROSTER_COLUMNS})`,
    );
  const seen = new Map<string, number>();
  return records.map(({ record, info }) => {
    const [studentId, studentName, repository] = at.map((i) => record[i] ?? "");
    const where = `${name} line ${info.lines}`;
    if (!STUDENT_ID.test(studentId!))
      throw new UsageError(
        `${where}: student_id "${studentId}" must be 1 to 100 letters, digits or . _ @ + - starting with a letter or digit (it names the student's files)`,
      );
    const first = seen.get(studentId!.toLowerCase());
    if (first !== undefined)
      throw new UsageError(
        `${where}: student_id "${studentId}" is already on line ${first} (ids are compared ignoring case)`,
      );
    seen.set(studentId!.toLowerCase(), info.lines);
    return { line: info.lines, studentId: studentId!, name: studentName!, repository: repository! };
  });
}
