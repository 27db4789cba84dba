// Reading an account's history. Keep the exported names and signatures: the tests import them.
import type { Pool } from "pg";

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

// TODO(queries): pages that stay fast and stable at any depth, and a listing without N+1.

/** One page of an account's entries, newest first. */
export async function historyPage(
  pool: Pool,
  accountId: number,
  options: { limit?: number; after?: string | null } = {},
): Promise<HistoryPage> {
  throw new Error("not implemented: historyPage");
}

/** Every account (by id) with its `latest` newest entries. */
export async function listAccountsWithLatest(
  pool: Pool,
  options: { latest?: number } = {},
): Promise<AccountWithLatest[]> {
  throw new Error("not implemented: listAccountsWithLatest");
}
