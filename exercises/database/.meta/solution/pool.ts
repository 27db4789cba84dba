import { Pool } from "pg";

/** The service's pool: bounded, and a caller that cannot get a connection fails fast. */
export function createPool(connectionString: string): Pool {
  const pool = new Pool({
    connectionString,
    // Small on purpose: the sum over all instances must stay under max_connections (100).
    max: 10,
    // The default, 0, waits forever for a free connection: an exhausted pool would hang requests.
    connectionTimeoutMillis: 1000,
    idleTimeoutMillis: 10_000,
    // Server-side backstop against a forgotten transaction holding locks.
    idle_in_transaction_session_timeout: 10_000,
  });
  // An idle client whose backend dies emits "error"; unhandled, it would crash the process.
  pool.on("error", () => {});
  return pool;
}
