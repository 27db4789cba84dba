// Wraps the pool handed to the code under test: records every query it sends (through the pool
// or through a client from pool.connect()), and can make chosen queries fail as a crash would.
import type { Pool } from "pg";
import { wrapPoolQueries } from "./wrap-pool-queries";

export interface SpiedQuery {
  text: string;
  values: unknown[];
}

export interface QuerySpy {
  /** Give this to the code under test instead of the real pool. */
  pool: Pool;
  queries: SpiedQuery[];
}

/** `fail(query, n)` returning true makes the n-th query (1-based) reject without reaching Postgres. */
export function spyOnPool(
  pool: Pool,
  fail: (query: SpiedQuery, n: number) => boolean = () => false,
): QuerySpy {
  const queries: SpiedQuery[] = [];
  const spied = wrapPoolQueries(pool, (send) => (...args) => {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
    const text = typeof first === "string" ? first : first.text;
    const values =
      (Array.isArray(second) ? second : typeof first === "object" ? first.values : undefined) ?? [];
    const query = { text, values };
    queries.push(query);
    if (fail(query, queries.length))
      return Promise.reject(new Error("injected failure: the connection dropped"));
    return send(...args);
  });
  return { pool: spied, queries };
}
