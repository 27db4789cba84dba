// Holds a lock from a session of its own while the test runs something: the way to make the code
// under test meet a locked table or row, as it would behind another transaction.
import type { Pool } from "pg";

/** Opens a transaction on its own connection, takes the lock with `lockSql`, runs `body`, then rolls back. */
export async function whileLocked<T>(
  pool: Pool,
  lockSql: string,
  values: unknown[],
  body: () => Promise<T>,
): Promise<T> {
  const blocker = await pool.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query(lockSql, values);
    return await body();
  } finally {
    await blocker.query("ROLLBACK");
    blocker.release();
  }
}
