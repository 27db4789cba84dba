// Wraps the pool handed to the code under test: records every query it sends (through the pool
// or through a client from pool.connect()), and can make chosen queries fail as a crash would.
import type { Pool, PoolClient } from "pg";

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
export function spyOnPool(pool: Pool, fail: (query: SpiedQuery, n: number) => boolean = () => false): QuerySpy {
  const queries: SpiedQuery[] = [];
  const wrapQuery = (target: Pool | PoolClient) => (...args: unknown[]) => {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
    const text = typeof first === "string" ? first : first.text;
    const values = (Array.isArray(second) ? second : typeof first === "object" ? first.values : undefined) ?? [];
    const query = { text, values };
    queries.push(query);
    if (fail(query, queries.length)) return Promise.reject(new Error("injected failure: the connection dropped"));
    return (target.query as (...a: unknown[]) => unknown)(...args);
  };
  const forward = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const wrapClient = (client: PoolClient) =>
    new Proxy(client, { get: (target, prop) => (prop === "query" ? wrapQuery(target) : forward(target, prop)) });
  const spied = new Proxy(pool, {
    get(target, prop) {
      if (prop === "query") return wrapQuery(target);
      if (prop === "connect") {
        return async (...args: unknown[]) => {
          if (args.length > 0) throw new Error("the test pool supports `await pool.connect()` only, not callbacks");
          return wrapClient(await target.connect());
        };
      }
      return forward(target, prop);
    },
  });
  return { pool: spied, queries };
}
