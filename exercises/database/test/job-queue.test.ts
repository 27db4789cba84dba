import { manualClock, useLearner } from "@backend-sandbox/testkit";
import type * as JobQueue from "#src/job-queue";
import type { Job } from "#src/job-queue";
import { learnerPool, useAppPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const { enqueue, processNext } = learner.module<typeof JobQueue>("job-queue");
beforeEach(() => services.pg.query("DELETE FROM jobs"));

describe("job-queue", () => {
  it("[R6.1, R6.2, R6.4] runs each due job once, oldest first, then reports an empty queue", async () => {
    const clock = manualClock(Date.now());
    const pool = await appPool();
    const ids = [
      await enqueue(pool, { type: "email", payload: { to: "ann" }, runAt: clock.date() }),
      await enqueue(pool, { type: "email", payload: { to: "bob" }, runAt: clock.date() }),
    ];
    const handled: Job[] = [];
    const options = { workerId: "w1", now: clock.date };
    while (await processNext(pool, async (job: Job) => void handled.push(job), options));
    expect(handled.map((job) => job.id)).toEqual(ids);
    expect(handled[1]!.payload).toEqual({ to: "bob" });
    const { rows } = await services.pg.query("SELECT status FROM jobs ORDER BY id");
    expect(rows.map((row) => row.status)).toEqual(["done", "done"]);
  });

  it("[R6.7] lets 3 workers on separate pools drain 30 jobs, each handled exactly once", async () => {
    const clock = manualClock(Date.now());
    for (let i = 0; i < 30; i++)
      await enqueue(await appPool(), { type: "resize", payload: { n: i }, runAt: clock.date() });
    const handled: number[] = [];
    const worker = async (n: number) => {
      const pool = await learnerPool(learner, services.databaseUrl, { max: 2 });
      const options = { workerId: `worker-${n}`, now: clock.date };
      while (await processNext(pool, async (job: Job) => void handled.push(job.id), options));
    };
    await Promise.all([1, 2, 3].map(worker));
    expect(handled).toHaveLength(30);
    expect(new Set(handled).size).toBe(30);
  });
});
