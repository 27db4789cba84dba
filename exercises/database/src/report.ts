// A daily report over all transfers. Keep the exported names and signatures.
import type { Pool } from "pg";

export interface DayTotal {
  /** A UTC calendar day, "YYYY-MM-DD". */
  day: string;
  count: number;
  volume: number;
}

/** Transfers per UTC day, oldest first; throws TimeoutError if it runs past `timeoutMs`. */
export async function transferReport(
  pool: Pool,
  options: { timeoutMs: number },
): Promise<DayTotal[]> {
  // TODO(safety): Postgres must cancel the query at the budget, and the connection must come back clean.
  throw new Error("not implemented: transferReport");
}
