// Wraps a pool so that every query the code under test sends, through the pool or through a
// client from pool.connect(), goes through `wrap` first; everything else reaches the real pool.
import type { Pool, PoolClient } from "pg";

/** A pool's or client's own `query`, bound to it. */
export type SendQuery = (...args: unknown[]) => Promise<unknown>;

/** Give the returned pool to the code under test; `wrap` decides what each query does. */
export function wrapPoolQueries(pool: Pool, wrap: (send: SendQuery) => SendQuery): Pool {
  const wrapQuery = (target: Pool | PoolClient) =>
    wrap((...args) => (target.query as SendQuery)(...args));
  const forward = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const wrapClient = (client: PoolClient) =>
    new Proxy(client, {
      get: (target, prop) => (prop === "query" ? wrapQuery(target) : forward(target, prop)),
    });
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === "query") return wrapQuery(target);
      if (prop === "connect") {
        return async (...args: unknown[]) => {
          if (args.length > 0)
            throw new Error("the test pool supports `await pool.connect()` only, not callbacks");
          return wrapClient(await target.connect());
        };
      }
      return forward(target, prop);
    },
  });
}
