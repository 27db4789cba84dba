import { because, seededRandom, useServices, within } from "@backend-sandbox/testkit";
import { enqueue, processNext } from "#src/job-queue";
import { migrate } from "#src/migrations";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));
beforeEach(() => services.pg.query("DELETE FROM jobs"));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("job-queue: many workers", () => {
  it("processes each of M jobs exactly once with 4 workers on separate pools", async () => {
    const start = new Date();
    const jobs = random.int(40, 70);
    const ids: number[] = [];
    for (let i = 0; i < jobs; i++) ids.push(await enqueue(services.pg, { type: "resize", payload: { n: i }, runAt: start }));
    const handled: number[] = [];
    const worker = async (n: number) => {
      const pool = services.newPool({ max: 3 });
      const options = { workerId: `worker-${n}-${random.token(4)}`, now: () => new Date(start.getTime() + 1000) };
      while (await processNext(pool, async (job) => { handled.push(job.id); await sleep(random.int(0, 5)); }, options));
    };
    await within(20_000, `4 workers to drain ${jobs} jobs`, Promise.all([1, 2, 3, 4].map(worker)));
    const counts = new Map<number, number>();
    handled.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
    const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
    because(`expected each job handled once; handled twice or more: ${twice.join(", ")} (seed ${random.seed})`, () => expect(twice).toEqual([]));
    because(`expected all ${jobs} jobs handled, ${counts.size} were`, () => expect([...counts.keys()].sort((a, b) => a - b)).toEqual(ids));
    const { rows } = await services.pg.query("SELECT status, count(*) AS n FROM jobs GROUP BY status");
    because(`expected every job done, saw ${JSON.stringify(rows)}`, () => expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([["done", jobs]]));
  }, 40_000);

  it("passes over a job whose row another worker holds locked instead of waiting for it", async () => {
    const start = new Date();
    const first = await enqueue(services.pg, { type: "a", runAt: start });
    const second = await enqueue(services.pg, { type: "b", runAt: new Date(start.getTime() + 1) });
    const other = await services.pg.connect();
    await other.query("BEGIN");
    await other.query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", [first]); // another worker mid-claim
    try {
      const seen: number[] = [];
      const pool = services.newPool({ max: 2 });
      await within(3000, "a worker to take the other job while the first is locked",
        processNext(pool, async (job) => void seen.push(job.id), { workerId: "w", now: () => new Date(start.getTime() + 1000) }));
      because(`expected job ${second} to be taken while job ${first} was locked, took ${seen.join(",")}`, () => expect(seen).toEqual([second]));
    } finally {
      await other.query("ROLLBACK");
      other.release();
    }
  });

  it("does not take a job whose run_at is still in the future", async () => {
    const now = new Date();
    await enqueue(services.pg, { type: "later", runAt: new Date(now.getTime() + random.int(1000, 60_000)) });
    const ran = await processNext(services.pg, async () => {}, { workerId: "w", now: () => now });
    because("expected processNext to return false: the only job is not due yet", () => expect(ran).toBe(false));
  });
});
