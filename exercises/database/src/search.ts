// Searching accounts with client-chosen filters and sort. Keep the exported names and signatures.
import type { Pool } from "pg";

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

export async function searchAccounts(pool: Pool, options: SearchOptions = {}): Promise<Account[]> {
  // TODO(safety): nothing the client sends may change the SQL; unknown sort or order → ValidationError.
  throw new Error("not implemented: searchAccounts");
}
