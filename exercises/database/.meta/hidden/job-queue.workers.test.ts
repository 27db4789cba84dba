import { setTimeout as sleep } from "node:timers/promises";
import {
  because,
  manualClock,
  seededRandom,
  useLearner,
  within,
  type ManualClock,
} from "@backend-sandbox/testkit";
import type * as JobQueue from "#src/job-queue";
import type { Job } from "#src/job-queue";
import { learnerPool, useAppPool, type LearnerPool } from "#support/learner-pool";
import { startQueryProxy } from "#support/query-proxy";
import { useMigratedDatabase } from "#support/use-migrated-database";
import { whileLocked } from "#support/while-locked";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { claimJob, enqueue, processNext } = learner.module<typeof JobQueue>("job-queue");
let pool: LearnerPool;
beforeAll(async () => {
  pool = await appPool();
});
const newPool = (config: { max: number; idleTimeoutMillis?: number }, url = services.databaseUrl) =>
  learnerPool(learner, url, config);
beforeEach(() => services.pg.query("DELETE FROM jobs"));

const STATES = ["that are new", "due for a retry", "left by a crashed worker"] as const;

/** Enqueues `count` jobs due now on `clock`, brings them into `state`, then moves the clock 10 s on; returns their ids. */
async function jobsIn(
  state: (typeof STATES)[number],
  count: number,
  clock: ManualClock,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      await enqueue(pool, {
        type: "work",
        payload: { i },
        runAt: clock.date(),
        maxAttempts: 5,
      }),
    );
  const earlier = { workerId: "earlier", leaseMs: 1000, backoffMs: 1000, now: clock.date };
  for (let i = 0; i < count; i++) {
    if (state === "due for a retry")
      await processNext(
        pool,
        async () => {
          throw new Error("first attempt fails");
        },
        earlier,
      );
    if (state === "left by a crashed worker") await claimJob(pool, earlier); // never settled: the lease ends 1 s later
  }
  clock.advance(10_000);
  return ids;
}

describe("job-queue: many workers", () => {
  it("[R6.7] processes each of M jobs exactly once with 4 workers on separate pools", async () => {
    const clock = manualClock(Date.now());
    const jobs = random.int(40, 70);
    const ids: number[] = [];
    for (let i = 0; i < jobs; i++)
      ids.push(await enqueue(pool, { type: "resize", payload: { n: i }, runAt: clock.date() }));
    clock.advance(1000);
    const handled: number[] = [];
    const worker = async (n: number) => {
      const workerPool = await newPool({ max: 3 });
      const options = { workerId: `worker-${n}-${random.token(4)}`, now: clock.date };
      while (
        await processNext(
          workerPool,
          async (job: Job) => {
            handled.push(job.id);
            await sleep(random.int(0, 5));
          },
          options,
        )
      );
    };
    await within(20_000, `4 workers to drain ${jobs} jobs`, Promise.all([1, 2, 3, 4].map(worker)));
    const counts = new Map<number, number>();
    handled.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
    const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
    because(
      `expected each job handled once; handled twice or more: ${twice.join(", ")} (seed ${random.seed})`,
      () => expect(twice).toEqual([]),
    );
    because(`expected all ${jobs} jobs handled, ${counts.size} were`, () =>
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(ids),
    );
    const { rows } = await services.pg.query(
      "SELECT status, count(*) AS n FROM jobs GROUP BY status",
    );
    because(`expected every job done, saw ${JSON.stringify(rows)}`, () =>
      expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([["done", jobs]]),
    );
  }, 40_000);

  it("[R6.8] passes over a job whose row another worker holds locked instead of waiting for it", async () => {
    const clock = manualClock(Date.now());
    const first = await enqueue(pool, { type: "a", runAt: clock.date() });
    const second = await enqueue(pool, { type: "b", runAt: new Date(clock.now() + 1) });
    clock.advance(1000);
    // Another worker mid-claim holds the first job's row.
    await whileLocked(
      services.pg,
      "SELECT id FROM jobs WHERE id = $1 FOR UPDATE",
      [first],
      async () => {
        const seen: number[] = [];
        const workerPool = await newPool({ max: 2 });
        await within(
          3000,
          "a worker to take the other job while the first is locked",
          processNext(workerPool, async (job: Job) => void seen.push(job.id), {
            workerId: "w",
            now: clock.date,
          }),
        );
        because(
          `expected job ${second} to be taken while job ${first} was locked, took ${seen.join(",")}`,
          () => expect(seen).toEqual([second]),
        );
      },
    );
  });

  it("[R6.2] does not take a job whose run_at is still in the future", async () => {
    const clock = manualClock(Date.now());
    await enqueue(pool, {
      type: "later",
      runAt: new Date(clock.now() + random.int(1000, 60_000)),
    });
    const ran = await processNext(pool, async () => {}, { workerId: "w", now: clock.date });
    because("expected processNext to return false: the only job is not due yet", () =>
      expect(ran).toBe(false),
    );
  });

  it.each(STATES)(
    "[R6.7] handles each job once when 4 workers drain jobs %s at once",
    async (state) => {
      const clock = manualClock(Date.now());
      const ids = await jobsIn(state, random.int(30, 50), clock);
      const handled: number[] = [];
      const worker = async (n: number) => {
        const workerPool = await newPool({ max: 2, idleTimeoutMillis: 200 });
        const options = { workerId: `worker-${n}-${random.token(4)}`, now: clock.date };
        while (
          await processNext(
            workerPool,
            async (job: Job) => {
              handled.push(job.id);
              await sleep(random.int(0, 3));
            },
            options,
          )
        );
      };
      await within(
        20_000,
        `4 workers to drain ${ids.length} jobs ${state}`,
        Promise.all([1, 2, 3, 4].map(worker)),
      );
      const twice = [...new Set(handled.filter((id, i) => handled.indexOf(id) !== i))];
      because(
        `expected each job ${state} handled once; handled twice or more: ${twice.join(", ")} (seed ${random.seed})`,
        () => expect(twice).toEqual([]),
      );
      because(`expected all ${ids.length} jobs handled, ${new Set(handled).size} were`, () =>
        expect([...new Set(handled)].sort((a, b) => a - b)).toEqual(ids),
      );
      const { rows } = await services.pg.query(
        "SELECT status, count(*) AS n FROM jobs GROUP BY status",
      );
      because(`expected every job done, saw ${JSON.stringify(rows)}`, () =>
        expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([["done", ids.length]]),
      );
    },
    40_000,
  );

  it.each(STATES)(
    "[R6.8] gives a second worker the other job when it claims while the first is between two queries, for jobs %s",
    async (state) => {
      const clock = manualClock(Date.now());
      const t0 = clock.now();
      const options = (workerId: string) => ({ workerId, now: clock.date });
      for (let step = 1; step <= 8; step++) {
        await services.pg.query("DELETE FROM jobs");
        clock.set(t0);
        const ids = await jobsIn(state, 2, clock);
        const handled: Array<[string, number]> = [];
        // The first worker reaches Postgres through a proxy that holds the answer to its query #step.
        const first = await startQueryProxy(services.databaseUrl, { pauseAfter: step });
        const firstPool = await newPool({ max: 2, idleTimeoutMillis: 200 }, first.url);
        const secondPool = await newPool({ max: 2, idleTimeoutMillis: 200 });
        const firstDone = processNext(
          firstPool,
          async (job: Job) => void handled.push(["first", job.id]),
          options("first"),
        );
        const ended = await Promise.race([
          first.paused.then(() => false),
          firstDone.then(() => true),
        ]);
        if (ended) break; // the first worker sent fewer than `step` queries: every pause point has been tried
        const secondDone = processNext(
          secondPool,
          async (job: Job) => void handled.push(["second", job.id]),
          options("second"),
        );
        const second = await Promise.race([secondDone, sleep(3000, "still waiting after 3 s")]);
        first.resume();
        await firstDone;
        await secondDone;
        because(
          `expected the second worker to take a job at once while the first paused after its query #${step}, it returned ${second}`,
          () => expect(second).toBe(true),
        );
        const counts = ids.map((id) => handled.filter(([, h]) => h === id).length);
        because(
          `expected jobs ${ids.join(", ")} (${state}) handled once each with the first worker paused after query #${step}; handled: ${JSON.stringify(handled)}`,
          () => expect(counts).toEqual([1, 1]),
        );
      }
    },
  );
});
