import { createHmac, timingSafeEqual } from "node:crypto";
import { HttpProblem, PROBLEM_TYPES } from "./problem";

/** Where the previous page ended, and the query it belongs to. */
export interface Cursor {
  query: string; // sort and filters, so a cursor cannot be replayed against another listing
  after: [string | number, string]; // the last row's sort value and id
}

// The cursor is opaque and signed (HMAC-SHA256): a client cannot forge a position or make the
// server run a query on values it never issued. Anything that does not verify is a 400.
export function encodeCursor(cursor: Cursor, secret: string): string {
  const payload = Buffer.from(JSON.stringify(cursor)).toString("base64url");
  return `${payload}.${sign(payload, secret)}`;
}

export function decodeCursor(text: string, secret: string, query: string): Cursor {
  // Stryker disable next-line StringLiteral: split always yields a first part, and a missing signature of any other default still differs in length from every real one
  const [payload = "", signature = "", extra] = text.split(".");
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (
    extra !== undefined ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected)
  ) {
    // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
    throw badCursor("The cursor is not one this API issued.");
  }
  const cursor = JSON.parse(Buffer.from(payload, "base64url").toString()) as Cursor;
  if (cursor.query !== query)
    // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
    throw badCursor("The cursor belongs to a listing with another sort or filters.");
  return cursor;
}

const sign = (payload: string, secret: string) =>
  createHmac("sha256", secret).update(payload).digest("base64url");

const badCursor = (detail: string) =>
  // Stryker disable next-line ObjectLiteral,StringLiteral: prose: no rule names a bad cursor's problem type or title (without them it is an about:blank 400, titled Bad Request)
  new HttpProblem(400, detail, { type: PROBLEM_TYPES.badCursor, title: "Invalid cursor" });
