// Transfer history written straight into the learner's tables (the columns the README pins).
import type { Pool } from "pg";

/**
 * `transfers` transfers (two entries each) among `accounts`, written in one INSERT … SELECT each,
 * without touching balances. Timestamps come in groups of three that share an instant, spaced by
 * 1.5 ms (so sub-millisecond values exist), starting at `start`.
 */
export async function seedHistory(
  pool: Pool,
  accounts: number[],
  transfers: number,
  start: Date,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query(
      "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
    );
    // Skipping the per-row foreign-key triggers makes 100k rows take about a second, not four.
    if (rows[0]?.rolsuper) await client.query("SET LOCAL session_replication_role = replica");
    await client.query(
      `INSERT INTO transfers (from_account_id, to_account_id, amount, created_at)
       SELECT a[1 + g % n], a[1 + (g + 1 + g % (n - 1)) % n], 1 + g % 97, $3::timestamptz + (g / 3) * interval '1.5 ms'
         FROM generate_series(1, $2::int) AS g, (SELECT $1::bigint[] AS a, cardinality($1::bigint[]) AS n) AS s`,
      [accounts, transfers, start],
    );
    await client.query(
      `INSERT INTO entries (transfer_id, account_id, amount, created_at)
       SELECT t.id, e.account_id, e.amount, t.created_at
         FROM transfers t CROSS JOIN LATERAL (VALUES (t.from_account_id, -t.amount), (t.to_account_id, t.amount)) AS e(account_id, amount)
        WHERE t.reference IS NULL AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.transfer_id = t.id)`,
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
  await pool.query("ANALYZE accounts; ANALYZE transfers; ANALYZE entries");
}
