import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { claimJob, enqueue, processNext } from "#src/job-queue";
import { migrate } from "#src/migrations";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));
beforeEach(() => services.pg.query("DELETE FROM jobs"));

const jobRow = async (id: number) => {
  const { rows } = await services.pg.query("SELECT status, attempts, run_at, last_error FROM jobs WHERE id = $1", [id]);
  return { status: rows[0].status, attempts: Number(rows[0].attempts), runAt: (rows[0].run_at as Date).getTime(), lastError: rows[0].last_error };
};

describe("job-queue: retries, backoff and leases", () => {
  it("retries a failing job after backoffMs * 2^(n-1), then marks it failed after maxAttempts", async () => {
    const t0 = Date.now();
    const backoffMs = random.int(1000, 9000);
    const maxAttempts = random.int(3, 4);
    const id = await enqueue(services.pg, { type: "flaky", runAt: new Date(t0), maxAttempts });
    let calls = 0;
    const failing = async () => { calls++; throw new Error(`boom ${calls}`); };
    let at = t0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const options = { workerId: "w", backoffMs, now: () => new Date(at) };
      if (attempt > 1) {
        const early = await processNext(services.pg, failing, { ...options, now: () => new Date(at - 1) });
        because(`expected no retry 1 ms before attempt ${attempt} is due (backoff ${backoffMs} ms, seed ${random.seed})`, () => expect(early).toBe(false));
      }
      expect(await processNext(services.pg, failing, options)).toBe(true);
      const row = await jobRow(id);
      because(`expected attempt ${attempt} to be counted, saw ${row.attempts}`, () => expect(row.attempts).toBe(attempt));
      because(`expected last_error to hold the handler's message "boom ${attempt}", saw ${row.lastError}`, () => expect(row.lastError).toContain(`boom ${attempt}`));
      if (attempt < maxAttempts) {
        const due = at + backoffMs * 2 ** (attempt - 1);
        because(`expected attempt ${attempt + 1} due at +${due - t0} ms, it is at +${row.runAt - t0} ms (seed ${random.seed})`, () =>
          expect({ status: row.status, runAt: row.runAt }).toEqual({ status: "queued", runAt: due }));
        at = due;
      } else {
        because(`expected status failed after ${maxAttempts} attempts, saw ${row.status}`, () => expect(row.status).toBe("failed"));
      }
    }
    const afterAll = await processNext(services.pg, failing, { workerId: "w", backoffMs, now: () => new Date(at + 86_400_000) });
    because(`expected a failed job never to run again; the handler ran ${calls} times for maxAttempts ${maxAttempts}`, () =>
      expect({ again: afterAll, calls }).toEqual({ again: false, calls: maxAttempts }));
  });

  it("gives the job of a crashed worker to another worker once its lease has run out, not before", async () => {
    const t0 = Date.now();
    const leaseMs = random.int(5_000, 60_000);
    const id = await enqueue(services.pg, { type: "report", payload: { n: random.int(1, 99) }, runAt: new Date(t0) });
    const claimed = await claimJob(services.pg, { workerId: "crashes", leaseMs, now: () => new Date(t0) });
    expect(claimed).toMatchObject({ id, attempts: 1 }); // ...and this worker never comes back
    const seen: number[] = [];
    const handler = async (job: { id: number }) => void seen.push(job.id);
    const early = await processNext(services.pg, handler, { workerId: "rescuer", leaseMs, now: () => new Date(t0 + leaseMs - 1000) });
    because(`expected the job to stay with its worker during its ${leaseMs} ms lease (seed ${random.seed})`, () => expect(early).toBe(false));
    const late = await processNext(services.pg, handler, { workerId: "rescuer", leaseMs, now: () => new Date(t0 + leaseMs + 1000) });
    because(`expected another worker to take the job after the ${leaseMs} ms lease ran out`, () => expect({ late, seen }).toEqual({ late: true, seen: [id] }));
    const row = await jobRow(id);
    expect({ status: row.status, attempts: row.attempts }).toEqual({ status: "done", attempts: 2 });
  });

  it("does not let a worker whose lease was taken over undo the job's outcome", async () => {
    const t0 = Date.now();
    const id = await enqueue(services.pg, { type: "slow", runAt: new Date(t0), maxAttempts: 5 });
    const slow = processNext(services.pg, async () => {
      // Stalls past its lease; meanwhile a second worker takes the job over and completes it.
      await processNext(services.pg, async () => {}, { workerId: "second", leaseMs: 1000, now: () => new Date(t0 + 5000) });
      throw new Error("first worker fails late");
    }, { workerId: "first", leaseMs: 1000, now: () => new Date(t0) });
    await slow;
    const row = await jobRow(id);
    because(`expected the job to stay done after the stale worker's late failure, saw ${row.status}`, () => expect(row.status).toBe("done"));
  });
});
