// Workers of the learner's code for a test: in this file's learner's process or another one,
// on a stream and group of the test's own, with fast polling unless the test wants the defaults.
import {
  pgPool,
  redisClient,
  type FileLearner,
  type LearnerProcess,
  type Remote,
} from "@backend-sandbox/testkit";
import type * as WorkerModule from "#src/worker";
import type { Worker, WorkerOptions } from "#src/types";

export interface Where {
  redisUrl: string;
  /** ioredis options of the worker's client; default: commands wait out a reconnection. */
  redisOptions?: Record<string, unknown>;
  databaseUrl: string;
  stream: string;
  group: string;
}

export type WorkerSettings = Omit<WorkerOptions, "redis" | "pg" | "stream" | "group">;

/** Options for createWorker: clients of their own on the URLs, BLOCK 50 ms and claims after 200 ms unless set. */
export function workerOptions(where: Where, settings: WorkerSettings, defaults = false) {
  const { redisUrl, databaseUrl, stream, group, redisOptions } = where;
  return {
    ...(defaults ? {} : { blockMs: 50, claimIdleMs: 200 }),
    ...settings,
    redis: redisClient(redisUrl, redisOptions ?? { maxRetriesPerRequest: null }),
    pg: pgPool({ connectionString: databaseUrl, max: 3 }),
    stream,
    group,
  };
}

const started: Remote<Worker>[] = [];

/** Stops every worker started so far (each file calls it after each test); one that hangs is left. */
export async function stopWorkers(): Promise<void> {
  const stopping = started.splice(0).map((worker) => worker.stop().catch(() => {}));
  await Promise.race([Promise.all(stopping), new Promise((r) => setTimeout(r, 3000).unref())]);
}

/** A started worker, stopped by stopWorkers(). */
export async function startWorker(
  learner: Pick<FileLearner | LearnerProcess, "module">,
  where: Where,
  settings: WorkerSettings,
  { defaults = false } = {},
): Promise<Remote<Worker>> {
  const worker = await learner
    .module<typeof WorkerModule>("worker")
    .createWorker(workerOptions(where, settings, defaults));
  started.push(worker);
  await worker.start();
  return worker;
}
