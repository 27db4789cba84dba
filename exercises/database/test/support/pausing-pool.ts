// Wraps a pool so that the code under test stops after its n-th query (through the pool or a
// client from pool.connect()) until the test lets it go: the test can then run another worker
// between two queries of this one, always at the same point.
import type { Pool } from "pg";
import { wrapPoolQueries } from "./wrap-pool-queries";

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
  const wrapped = wrapPoolQueries(pool, (send) => async (...args) => {
    const mine = ++count;
    const settled = await send(...args).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (mine === n) {
      signal();
      await gate;
    }
    if ("error" in settled) throw settled.error;
    return settled.value;
  });
  return { pool: wrapped, paused, resume };
}
