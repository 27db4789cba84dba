// The test's side of the origin: it owns the wrapper the apps call, so it counts every origin hit
// exactly, and it can hold a read or a write at the worst moment, or make the next call fail.
import type { Pool } from "pg";
import type { Product, ProductRepository } from "#src/product";
import { PgProductRepository } from "./product-repository";

type Method = keyof ProductRepository;

export interface Gate {
  /** Resolves when the held call has reached the hold point. */
  readonly reached: Promise<void>;
  release(): void;
}

export interface Origin {
  /** Give this to createApp: every call is counted. */
  readonly repository: ProductRepository;
  /** The same Postgres without counting: changes "behind the cache's back", and checks. */
  readonly direct: PgProductRepository;
  /** Calls per method since the last reset. */
  readonly calls: Record<Method, number>;
  /** findById calls for one id. */
  reads(id: string): number;
  /** The next findById or list holds after it has read its rows, until released. */
  holdNextRead(): Gate;
  /** The next write holds inside its transaction just before COMMIT, until released. */
  holdNextCommit(): Gate;
  /** The next call of `method` rejects (as if Postgres had failed). */
  failNext(method: Method): void;
  seed(products: Product[]): Promise<void>;
  reset(): Promise<void>;
}

const HOLD_LIMIT_MS = 15_000; // a forgotten gate opens by itself rather than hanging the run

export async function createOrigin(
  pool: Pool,
  options: { delayMs?: number } = {},
): Promise<Origin> {
  let nextRead: (() => Promise<void>) | undefined;
  let nextCommit: (() => Promise<void>) | undefined;
  const failing = new Set<Method>();
  const calls = { findById: 0, list: 0, put: 0, patch: 0, remove: 0 };
  const readsById = new Map<string, number>();
  const hold = (arm: (wait: () => Promise<void>) => void): Gate => {
    let reach!: () => void;
    let open!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const opened = new Promise<void>((resolve) => {
      open = resolve;
      setTimeout(resolve, HOLD_LIMIT_MS).unref();
    });
    arm(async () => {
      reach();
      await opened;
    });
    return { reached, release: open };
  };
  const take = (slot: "read" | "commit") => {
    const wait = slot === "read" ? nextRead : nextCommit;
    if (slot === "read") nextRead = undefined;
    else nextCommit = undefined;
    return wait ? wait() : Promise.resolve();
  };
  const direct = new PgProductRepository(pool);
  const slow = new PgProductRepository(pool, {
    delayMs: options.delayMs ?? 20,
    afterRead: () => take("read"),
    beforeCommit: () => take("commit"),
  });
  await direct.migrate();

  const counted = <M extends Method>(method: M) =>
    (async (...args: unknown[]) => {
      calls[method] += 1;
      if (method === "findById")
        readsById.set(String(args[0]), (readsById.get(String(args[0])) ?? 0) + 1);
      if (failing.delete(method))
        throw new Error(`origin failure injected by the test (${method})`);
      return (slow[method] as (...a: unknown[]) => Promise<unknown>).apply(slow, args);
    }) as ProductRepository[M];

  return {
    repository: {
      findById: counted("findById"),
      list: counted("list"),
      put: counted("put"),
      patch: counted("patch"),
      remove: counted("remove"),
    },
    direct,
    calls,
    reads: (id) => readsById.get(id) ?? 0,
    holdNextRead: () => hold((wait) => (nextRead = wait)),
    holdNextCommit: () => hold((wait) => (nextCommit = wait)),
    failNext: (method) => void failing.add(method),
    async seed(products) {
      for (const { id, version: _version, ...fields } of products) await direct.put(id, fields);
    },
    async reset() {
      await pool.query("TRUNCATE products");
      for (const key of Object.keys(calls) as Method[]) calls[key] = 0;
      readsById.clear();
      failing.clear();
      nextRead = nextCommit = undefined;
    },
  };
}
