// WRONG SOLUTION (unsigned-cursor): the cursor is plain base64url JSON: a client can edit it, and the server trusts what it decodes.
import { HttpProblem, PROBLEM_TYPES } from "./problem";

/** Where the previous page ended, and the query it belongs to. */
export interface Cursor {
  query: string; // sort and filters, so a cursor cannot be replayed against another listing
  after: [string | number, string]; // the last row's sort value and id
}

// The cursor is opaque and signed (HMAC-SHA256): a client cannot forge a position or make the
// server run a query on values it never issued. Anything that does not verify is a 400.
export function encodeCursor(cursor: Cursor, secret: string): string {
  void secret;
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(text: string, secret: string, query: string): Cursor {
  void secret;
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(text, "base64url").toString()) as Cursor;
  } catch {
    throw badCursor("The cursor is not valid.");
  }
  if (cursor.query !== query) throw badCursor("The cursor belongs to a listing with another sort or filters.");
  return cursor;
}

const badCursor = (detail: string) =>
  new HttpProblem(400, detail, { type: PROBLEM_TYPES.badCursor, title: "Invalid cursor" });
