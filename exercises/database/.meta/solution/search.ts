import type { Pool } from "pg";
import { ValidationError } from "./errors";

export interface Account {
  id: number;
  email: string;
  name: string;
  balance: number;
  createdAt: Date;
}

export interface SearchOptions {
  /** Case-insensitive substring of the email or the name, matched literally. */
  q?: string;
  sort?: string;
  order?: string;
  limit?: number;
}

// Identifiers cannot be bound as $n parameters, so the client's word is mapped to SQL we wrote:
// whatever the client sends, only these strings ever reach the query text.
const SORT_COLUMNS: Record<string, string> = {
  id: "id",
  email: "email",
  name: "name",
  balance: "balance",
  created_at: "created_at",
};
const ORDERS: Record<string, string> = { asc: "ASC", desc: "DESC" };

export async function searchAccounts(pool: Pool, options: SearchOptions = {}): Promise<Account[]> {
  const { q = "", sort = "id", order = "asc", limit = 50 } = options;
  if (typeof q !== "string" || q.length > 200)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("q must be a string of at most 200 characters");
  const column = Object.hasOwn(SORT_COLUMNS, sort) ? SORT_COLUMNS[sort] : undefined;
  // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
  if (!column) throw new ValidationError(`cannot sort by ${JSON.stringify(sort)}`);
  const direction = Object.hasOwn(ORDERS, order) ? ORDERS[order] : undefined;
  if (!direction)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError(`order must be asc or desc, not ${JSON.stringify(order)}`);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("limit must be 1..100");

  // The value is a parameter; its LIKE wildcards are escaped so "%" finds a literal percent sign.
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await pool.query(
    `SELECT id, email, name, balance, created_at FROM accounts
      WHERE email ILIKE $1 OR name ILIKE $1
      ORDER BY ${column} ${direction}, id ${direction}
      LIMIT $2`,
    [pattern, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    email: row.email,
    name: row.name,
    balance: Number(row.balance),
    createdAt: row.created_at,
  }));
}
