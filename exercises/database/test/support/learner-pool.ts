// Pools that live in the learner's process: the code under test gets the same pg Pool on every
// call, as an app instance would, and the test reads the pool's counters (totalCount, idleCount,
// waitingCount, options.max). A `pgPool(config)` stand-in alone builds a new Pool on every call
// it is passed to, and a remote object carries only its methods, so the testkit offers neither
// yet. Until it does, this has the learner's process build two small functions (an identity, and
// a read of the counters) through the channel's `value` and `invoke` requests, which are not the
// testkit's public surface: the one place here that reaches into LearnerProcess.
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

interface Functions {
  keep(value: unknown): Promise<LearnerPool>;
  state(pool: LearnerPool): Promise<PoolState>;
}

interface Internals {
  channel: { request(op: string, params: object): Promise<{ ref: number }> };
  request(op: string, params: object, args: unknown[]): Promise<unknown>;
}

const built = new WeakMap<LearnerProcess, Promise<Functions>>();

/** Makes, in the learner's process, a function of `params` with `body` (any function's constructor is Function). */
async function learnerFunction(learner: LearnerProcess, params: string[], body: string) {
  const internals = learner as unknown as Internals;
  // errors.ts is given to the learner and exports classes: any function serves as a handle here.
  const { ref } = await internals.channel.request("value", {
    module: "errors",
    export: "ValidationError",
  });
  return internals.request("invoke", { ref, method: "constructor" }, [...params, body]);
}

function functionsOf(learner: LearnerProcess): Promise<Functions> {
  let functions = built.get(learner);
  if (!functions) {
    functions = (async () => ({
      keep: (await learnerFunction(learner, ["value"], "return value")) as Functions["keep"],
      state: (await learnerFunction(
        learner,
        ["pool"],
        "return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max }",
      )) as Functions["state"],
    }))();
    built.set(learner, functions);
  }
  return functions;
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
  const functions = await functionsOf(await processOf(learner));
  return functions.keep(pgPool({ idleTimeoutMillis: 1000, ...config, connectionString }));
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
  const functions = await functionsOf(await processOf(learner));
  return functions.state(pool as LearnerPool);
}
