// Pools that live in the learner's process: the code under test gets the same pg Pool on every
// call, as an app instance would, and the test reads the pool's counters (totalCount, idleCount,
// waitingCount, options.max). The testkit builds the pool there from a `pgPool` stand-in and hands
// the test a remote object of it (LearnerProcess.client).
import { pgPool, type FileLearner, type LearnerProcess } from "@backend-sandbox/testkit";
import type { PoolConfig } from "pg";

/** A pg Pool in the learner's process, as the test process holds it: pass it to the code under test. */
export type LearnerPool = {
  query(text: string, values?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
};

export interface PoolState {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

async function processOf(learner: FileLearner | LearnerProcess): Promise<LearnerProcess> {
  return "process" in learner && typeof learner.process === "function"
    ? learner.process()
    : (learner as LearnerProcess);
}

/**
 * A pg Pool on `connectionString` made in the learner's process with `config` (pg's PoolConfig,
 * JSON only), kept there: every call given it uses the same pool, as the app instance it stands
 * for would. `idleTimeoutMillis` defaults to 1000, so pools a file is done with close their
 * connections.
 */
export async function learnerPool(
  learner: FileLearner | LearnerProcess,
  connectionString: string,
  config: Omit<PoolConfig, "connectionString"> = {},
): Promise<LearnerPool> {
  const process = await processOf(learner);
  const pool = pgPool({ idleTimeoutMillis: 1000, ...config, connectionString });
  return (await process.client(pool)) as unknown as LearnerPool;
}

/**
 * Two pools (two app instances) of `max` connections each in the learner's process, every
 * connection already open: the race a test starts next is between transactions, not between
 * connection setups, which a loaded machine can serialize (then a lost update or a deadlock never
 * happens, and a wrong solution passes by chance). Each pool is `learnerPool`'s, `max` set.
 */
export async function racingPools(
  learner: FileLearner | LearnerProcess,
  connectionString: string,
  max: number,
): Promise<LearnerPool[]> {
  const pools = await Promise.all(
    [1, 2].map(() => learnerPool(learner, connectionString, { max })),
  );
  // `max` queries at once, each long enough to still hold its connection while the last opens.
  await Promise.all(
    pools.flatMap((pool) => Array.from({ length: max }, () => pool.query("SELECT pg_sleep(0.1)"))),
  );
  return pools;
}

/** The file's main pool in the learner's process (max 10, as `services.pg`), made on first use. */
export function useAppPool(
  learner: FileLearner,
  services: { databaseUrl: string },
): () => Promise<LearnerPool> {
  let pool: Promise<LearnerPool> | undefined;
  return () => (pool ??= learnerPool(learner, services.databaseUrl, { max: 10 }));
}

/** The counters of a pool made in the learner's process (`learnerPool`, or the learner's own `createPool`). */
export async function poolState(
  learner: FileLearner | LearnerProcess,
  pool: unknown,
): Promise<PoolState> {
  const process = await processOf(learner);
  const [total, idle, waiting, options] = await Promise.all([
    process.field<number>(pool, "totalCount"),
    process.field<number>(pool, "idleCount"),
    process.field<number>(pool, "waitingCount"),
    process.field<{ max: number }>(pool, "options"),
  ]);
  return { total, idle, waiting, max: options.max };
}
