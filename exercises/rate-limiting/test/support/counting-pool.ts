import type { Pool } from "pg";

/**
 * Counts how often an app reaches for Postgres through `pool`: calls of pool.query and pool.connect
 * (a pool.query may count twice, as it connects inside). Zero means no round trip at all.
 */
export function countingPool(pool: Pool): { pool: Pool; roundTrips: () => number } {
  let count = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  Object.assign(pool, {
    query: (...args: unknown[]) => {
      count += 1;
      return query(...args);
    },
    connect: (...args: unknown[]) => {
      count += 1;
      return connect(...args);
    },
  });
  return { pool, roundTrips: () => count };
}
