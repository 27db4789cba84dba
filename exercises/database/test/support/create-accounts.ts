// Accounts written straight into the learner's table (the columns the README pins).
import type { Pool } from "pg";
import type { SeededRandom } from "@backend-sandbox/testkit";

/** Inserts one account per balance; returns their ids in the same order. */
export async function createAccounts(
  pool: Pool,
  balances: number[],
  random: SeededRandom,
): Promise<number[]> {
  const emails = balances.map((_, i) => `${random.token(8)}.${i}@example.test`);
  const { rows } = await pool.query(
    `INSERT INTO accounts (email, name, balance)
     SELECT e, 'Holder ' || i, b FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(e, b, i)
     ORDER BY i RETURNING id`,
    [emails, balances],
  );
  return rows.map((row) => Number(row.id));
}
