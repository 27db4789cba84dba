// Reads account balances straight from the learner's table.
import type { Pool } from "pg";

/** The balances of these accounts, in the order of `ids`. */
export async function balances(pool: Pool, ids: number[]): Promise<number[]> {
  const { rows } = await pool.query(
    "SELECT id, balance FROM accounts WHERE id = ANY($1::bigint[])",
    [ids],
  );
  const byId = new Map(rows.map((row) => [Number(row.id), Number(row.balance)]));
  return ids.map((id) => byId.get(id)!);
}
