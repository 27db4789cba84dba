// You are building the data layer of a small wallet service on Postgres with `pg` (no ORM):
// accounts hold money, transfers move it, entries record each side, and a jobs table feeds workers.
// This file owns the schema. Keep the exported names and signatures: the tests import them.
import type { Pool } from "pg";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// TODO(migrations): write the schema described in the README (tables accounts, transfers,
// entries, jobs) as ordered migrations, with the rules as constraints.
export const migrations: Migration[] = [];

/**
 * Applies the migrations of `list` not yet recorded in `schema_migrations`, in ascending version
 * order, and returns the versions this call applied ([] when there was nothing to do).
 * Safe to run from several processes at once.
 */
export async function migrate(
  pool: Pool,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  throw new Error("not implemented: migrate");
}
