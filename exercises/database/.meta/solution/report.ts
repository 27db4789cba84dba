import type { Pool } from "pg";
import { TimeoutError, ValidationError } from "./errors";

export interface DayTotal {
  /** A UTC calendar day, "YYYY-MM-DD". */
  day: string;
  count: number;
  volume: number;
}

/** Transfers per UTC day, oldest first; cancelled by Postgres if it runs past `timeoutMs`. */
export async function transferReport(
  pool: Pool,
  options: { timeoutMs: number },
): Promise<DayTotal[]> {
  const { timeoutMs } = options;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
    // Stryker disable next-line StringLiteral: the words of a ValidationError are prose no rule words
    throw new ValidationError("timeoutMs must be a positive integer");
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    // SET LOCAL ends with the transaction: the pooled connection goes back without the timeout,
    // where a plain SET would follow it to the next, unrelated caller.
    await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`); // a checked integer, SET takes no $1
    const { rows } = await client.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS count, sum(amount) AS volume
         FROM transfers GROUP BY 1 ORDER BY 1`,
    );
    await client.query("COMMIT");
    return rows.map((row) => ({
      day: row.day,
      count: Number(row.count),
      volume: Number(row.volume),
    }));
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    // 57014 query_canceled: the budget ran out; say so in the caller's terms.
    if ((error as { code?: string }).code === "57014")
      // Stryker disable next-line StringLiteral: the words of a TimeoutError are prose no rule words
      throw new TimeoutError(`report exceeded ${timeoutMs} ms`);
    throw error;
  } finally {
    client.release(broken);
  }
}
