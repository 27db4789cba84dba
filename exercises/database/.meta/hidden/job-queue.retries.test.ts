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
  it("[R6.4, R6.5, R6.6] retries a failing job after backoffMs * 2^(n-1), then marks it failed after maxAttempts", async () => {
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

  it("[R6.3] gives the job of a crashed worker to another worker once its lease has run out, not before", async () => {
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

  it("[R6.9] does not let a worker whose lease was taken over undo the job's outcome", async () => {
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

  it("[R6.9] leaves the job with the new lease holder when the stale worker finishes first, whether it succeeded or failed", async () => {
    const t0 = Date.now();
    for (const outcome of ["resolves", "throws"]) {
      const id = await enqueue(services.pg, { type: "slow", runAt: new Date(t0), maxAttempts: 5 });
      let taken: unknown;
      await processNext(services.pg, async () => {
        // Stalls past its 1 s lease; a second worker takes the job over and is still working on it.
        taken = await claimJob(services.pg, { workerId: "second", leaseMs: 60_000, now: () => new Date(t0 + 5000) });
        if (outcome === "throws") throw new Error("first worker fails late");
      }, { workerId: "first", leaseMs: 1000, backoffMs: 1000, now: () => new Date(t0) });
      expect(taken).toMatchObject({ id, attempts: 2 });
      const row = await jobRow(id);
      because(`expected the stale worker whose handler ${outcome} to leave the job queued with the second worker, saw ${JSON.stringify(row)}`, () =>
        expect(row).toEqual({ status: "queued", attempts: 2, runAt: t0, lastError: null }));
      const third = await processNext(services.pg, async () => {}, { workerId: "third", now: () => new Date(t0 + 6000) });
      because(`expected the second worker's lease to hold after the stale worker ${outcome === "throws" ? "failed" : "finished"}`, () => expect(third).toBe(false));
    }
  });

  it("[R6.1, R6.5] allows 3 attempts and waits backoffMs 1000 * 2^(n-1) when maxAttempts and backoffMs are left out", async () => {
    const t0 = Date.now();
    const id = await enqueue(services.pg, { type: "flaky", runAt: new Date(t0) });
    const failing = async () => { throw new Error("boom"); };
    const seen: string[] = [];
    for (const at of [t0, t0 + 1000, t0 + 3000]) {
      const early = at > t0 && (await processNext(services.pg, failing, { workerId: "w", now: () => new Date(at - 1) }));
      const ran = await processNext(services.pg, failing, { workerId: "w", now: () => new Date(at) });
      const row = await jobRow(id);
      seen.push(`+${at - t0}: early ${early}, ran ${ran}, ${row.status}${row.status === "queued" ? `, next +${row.runAt - t0}` : ""}`);
    }
    because(`expected retries at +1000 and +3000 ms, then failed after 3 attempts; saw ${seen.join(" | ")}`, () => expect(seen).toEqual([
      "+0: early false, ran true, queued, next +1000",
      "+1000: early false, ran true, queued, next +3000",
      "+3000: early false, ran true, failed",
    ]));
  });

  it("[R6.3] leases a claim for 30 000 ms when leaseMs is left out", async () => {
    const t0 = Date.now();
    const id = await enqueue(services.pg, { type: "report", runAt: new Date(t0) });
    expect(await claimJob(services.pg, { workerId: "crashes", now: () => new Date(t0) })).toMatchObject({ id });
    const before = await claimJob(services.pg, { workerId: "rescuer", now: () => new Date(t0 + 29_999) });
    const after = await claimJob(services.pg, { workerId: "rescuer", now: () => new Date(t0 + 30_000) });
    because(`expected the default lease of 30 000 ms: not claimable at +29 999 ms, claimable at +30 000 ms; got ${JSON.stringify({ before, after })}`, () =>
      expect({ before: before?.id ?? null, after: after?.id ?? null }).toEqual({ before: null, after: id }));
  });

  it("[R6.1, R6.6] makes a job due at once and hands it {} when runAt, payload and now are left out", async () => {
    const before = Date.now();
    const id = await enqueue(services.pg, { type: "plain" });
    const early = await processNext(services.pg, async () => {}, { workerId: "w", now: () => new Date(before - 60_000) });
    because("expected a job enqueued without runAt not to be due a minute before it was enqueued", () => expect(early).toBe(false));
    const handled: unknown[] = [];
    const ran = await processNext(services.pg, async (job) => void handled.push(job.payload), { workerId: "w" }); // the real clock
    because(`expected the job due at once on the real clock with payload {}, got ran=${ran}, payloads ${JSON.stringify(handled)}`, () =>
      expect({ ran, handled }).toEqual({ ran: true, handled: [{}] }));
    expect((await jobRow(id)).status).toBe("done");
    await enqueue(services.pg, { type: "later", runAt: new Date(Date.now() + 3_600_000) });
    const future = await processNext(services.pg, async () => {}, { workerId: "w" });
    because("expected a job due in an hour not to run on the real clock", () => expect(future).toBe(false));
  });
});
