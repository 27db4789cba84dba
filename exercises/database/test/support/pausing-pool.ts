// Wraps a pool so that the code under test stops after its n-th query (through the pool or a
// client from pool.connect()) until the test lets it go: the test can then run another worker
// between two queries of this one, always at the same point.
import type { Pool, PoolClient } from "pg";

export interface PausingPool {
  /** Give this to the code under test instead of the real pool. */
  pool: Pool;
  /** Resolves once the n-th query has run; its result is held back until `resume()`. */
  paused: Promise<void>;
  resume(): void;
}

export function pauseAfterQuery(pool: Pool, n: number): PausingPool {
  let count = 0;
  let signal!: () => void;
  let resume!: () => void;
  const paused = new Promise<void>((resolve) => (signal = resolve));
  const gate = new Promise<void>((resolve) => (resume = resolve));
  const wrapQuery = (target: Pool | PoolClient) => async (...args: unknown[]) => {
    const mine = ++count;
    const settled = await (target.query as (...a: unknown[]) => Promise<unknown>)(...args).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (mine === n) {
      signal();
      await gate;
    }
    if ("error" in settled) throw settled.error;
    return settled.value;
  };
  const forward = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const wrapClient = (client: PoolClient) =>
    new Proxy(client, { get: (target, prop) => (prop === "query" ? wrapQuery(target) : forward(target, prop)) });
  const wrapped = new Proxy(pool, {
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
  return { pool: wrapped, paused, resume };
}
