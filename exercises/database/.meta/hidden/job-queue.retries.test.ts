import { because, manualClock, seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as JobQueue from "#src/job-queue";
import type { Job } from "#src/job-queue";
import { useAppPool, type LearnerPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { claimJob, enqueue, processNext } = learner.module<typeof JobQueue>("job-queue");
let pool: LearnerPool;
beforeAll(async () => {
  pool = await appPool();
});
beforeEach(() => services.pg.query("DELETE FROM jobs"));

const jobRow = async (id: number) => {
  const { rows } = await services.pg.query(
    "SELECT status, attempts, run_at, last_error FROM jobs WHERE id = $1",
    [id],
  );
  return {
    status: rows[0].status,
    attempts: Number(rows[0].attempts),
    runAt: (rows[0].run_at as Date).getTime(),
    lastError: rows[0].last_error,
  };
};

describe("job-queue: retries, backoff and leases", () => {
  it("[R6.4, R6.5, R6.6] retries a failing job after backoffMs * 2^(n-1), then marks it failed after maxAttempts", async () => {
    const clock = manualClock(Date.now());
    const t0 = clock.now();
    const backoffMs = random.int(1000, 9000);
    const maxAttempts = random.int(3, 4);
    const id = await enqueue(pool, { type: "flaky", runAt: clock.date(), maxAttempts });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    };
    const options = { workerId: "w", backoffMs, now: clock.date };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        clock.advance(-1);
        const early = await processNext(pool, failing, options);
        clock.advance(1);
        because(
          `expected no retry 1 ms before attempt ${attempt} is due (backoff ${backoffMs} ms, seed ${random.seed})`,
          () => expect(early).toBe(false),
        );
      }
      expect(await processNext(pool, failing, options)).toBe(true);
      const row = await jobRow(id);
      because(`expected attempt ${attempt} to be counted, saw ${row.attempts}`, () =>
        expect(row.attempts).toBe(attempt),
      );
      because(
        `expected last_error to hold the handler's message "boom ${attempt}", saw ${row.lastError}`,
        () => expect(row.lastError).toContain(`boom ${attempt}`),
      );
      if (attempt < maxAttempts) {
        const due = clock.now() + backoffMs * 2 ** (attempt - 1);
        because(
          `expected attempt ${attempt + 1} due at +${due - t0} ms, it is at +${row.runAt - t0} ms (seed ${random.seed})`,
          () =>
            expect({ status: row.status, runAt: row.runAt }).toEqual({
              status: "queued",
              runAt: due,
            }),
        );
        clock.set(due);
      } else {
        because(`expected status failed after ${maxAttempts} attempts, saw ${row.status}`, () =>
          expect(row.status).toBe("failed"),
        );
      }
    }
    clock.advance(86_400_000);
    const afterAll = await processNext(pool, failing, options);
    because(
      `expected a failed job never to run again; the handler ran ${calls} times for maxAttempts ${maxAttempts}`,
      () => expect({ again: afterAll, calls }).toEqual({ again: false, calls: maxAttempts }),
    );
  });

  it("[R6.5] stores the handler's error message exactly as last_error, and a thrown string as it is", async () => {
    const clock = manualClock(Date.now());
    const message = `boom ${random.token(8)}`;
    const handlers: Array<[string, () => Promise<void>]> = [
      [
        "an Error",
        async () => {
          throw new Error(message);
        },
      ],
      ["a string", () => Promise.reject(message)],
    ];
    for (const [thrown, handler] of handlers) {
      const id = await enqueue(pool, { type: "flaky", runAt: clock.date() });
      expect(await processNext(pool, handler, { workerId: "w", now: clock.date })).toBe(true);
      const { lastError } = await jobRow(id);
      because(
        `expected last_error to be exactly ${JSON.stringify(message)} when the handler throws ${thrown}, saw ${JSON.stringify(lastError)} (seed ${random.seed})`,
        () => expect(lastError).toBe(message),
      );
    }
  });

  it("[R6.5, R6.6] schedules the retry on the real clock when now is left out", async () => {
    const backoffMs = random.int(60_000, 120_000);
    const id = await enqueue(pool, { type: "flaky" });
    const before = Date.now();
    const ran = await processNext(
      pool,
      async () => {
        throw new Error("boom");
      },
      { workerId: "w", backoffMs },
    );
    const after = Date.now();
    const row = await jobRow(id);
    because(
      `expected the retry due ${backoffMs} ms after the failure on the real clock (between +${backoffMs} and +${after - before + backoffMs} ms from the call), saw ran ${ran}, ${row.status}, due at +${row.runAt - before} ms (seed ${random.seed})`,
      () =>
        expect({
          ran,
          status: row.status,
          due: row.runAt >= before + backoffMs && row.runAt <= after + backoffMs,
        }).toEqual({ ran: true, status: "queued", due: true }),
    );
  });

  it("[R6.3] gives the job of a crashed worker to another worker once its lease has run out, not before", async () => {
    const clock = manualClock(Date.now());
    const leaseMs = random.int(5_000, 60_000);
    const id = await enqueue(pool, {
      type: "report",
      payload: { n: random.int(1, 99) },
      runAt: clock.date(),
    });
    const claimed = await claimJob(pool, { workerId: "crashes", leaseMs, now: clock.date });
    expect(claimed).toMatchObject({ id, attempts: 1 }); // ...and this worker never comes back
    const seen: number[] = [];
    const handler = async (job: Job) => void seen.push(job.id);
    const rescuer = { workerId: "rescuer", leaseMs, now: clock.date };
    clock.advance(leaseMs - 1000);
    const early = await processNext(pool, handler, rescuer);
    because(
      `expected the job to stay with its worker during its ${leaseMs} ms lease (seed ${random.seed})`,
      () => expect(early).toBe(false),
    );
    clock.advance(2000);
    const late = await processNext(pool, handler, rescuer);
    because(`expected another worker to take the job after the ${leaseMs} ms lease ran out`, () =>
      expect({ late, seen }).toEqual({ late: true, seen: [id] }),
    );
    const row = await jobRow(id);
    expect({ status: row.status, attempts: row.attempts }).toEqual({ status: "done", attempts: 2 });
  });

  it("[R6.9] does not let a worker whose lease was taken over undo the job's outcome", async () => {
    const clock = manualClock(Date.now());
    const id = await enqueue(pool, { type: "slow", runAt: clock.date(), maxAttempts: 5 });
    const slow = processNext(
      pool,
      async () => {
        // Stalls past its lease; meanwhile a second worker takes the job over and completes it.
        clock.advance(5000);
        await processNext(pool, async () => {}, {
          workerId: "second",
          leaseMs: 1000,
          now: clock.date,
        });
        throw new Error("first worker fails late");
      },
      { workerId: "first", leaseMs: 1000, now: clock.date },
    );
    await slow;
    const row = await jobRow(id);
    because(
      `expected the job to stay done after the stale worker's late failure, saw ${row.status}`,
      () => expect(row.status).toBe("done"),
    );
  });

  it("[R6.9] leaves the job with the new lease holder when the stale worker finishes first, whether it succeeded or failed", async () => {
    const clock = manualClock(Date.now());
    const t0 = clock.now();
    for (const outcome of ["resolves", "throws"]) {
      clock.set(t0);
      const id = await enqueue(pool, { type: "slow", runAt: clock.date(), maxAttempts: 5 });
      let taken: unknown;
      await processNext(
        pool,
        async () => {
          // Stalls past its 1 s lease; a second worker takes the job over and is still working on it.
          clock.advance(5000);
          taken = await claimJob(pool, {
            workerId: "second",
            leaseMs: 60_000,
            now: clock.date,
          });
          if (outcome === "throws") throw new Error("first worker fails late");
        },
        { workerId: "first", leaseMs: 1000, backoffMs: 1000, now: clock.date },
      );
      expect(taken).toMatchObject({ id, attempts: 2 });
      const row = await jobRow(id);
      because(
        `expected the stale worker whose handler ${outcome} to leave the job queued with the second worker, saw ${JSON.stringify(row)}`,
        () => expect(row).toEqual({ status: "queued", attempts: 2, runAt: t0, lastError: null }),
      );
      clock.advance(1000);
      const third = await processNext(pool, async () => {}, {
        workerId: "third",
        now: clock.date,
      });
      because(
        `expected the second worker's lease to hold after the stale worker ${outcome === "throws" ? "failed" : "finished"}`,
        () => expect(third).toBe(false),
      );
    }
  });

  it("[R6.1, R6.5] allows 3 attempts and waits backoffMs 1000 * 2^(n-1) when maxAttempts and backoffMs are left out", async () => {
    const clock = manualClock(Date.now());
    const t0 = clock.now();
    const id = await enqueue(pool, { type: "flaky", runAt: clock.date() });
    const failing = async () => {
      throw new Error("boom");
    };
    const options = { workerId: "w", now: clock.date };
    const seen: string[] = [];
    for (const at of [t0, t0 + 1000, t0 + 3000]) {
      clock.set(at - 1);
      const early = at > t0 && (await processNext(pool, failing, options));
      clock.set(at);
      const ran = await processNext(pool, failing, options);
      const row = await jobRow(id);
      seen.push(
        `+${at - t0}: early ${early}, ran ${ran}, ${row.status}${row.status === "queued" ? `, next +${row.runAt - t0}` : ""}`,
      );
    }
    because(
      `expected retries at +1000 and +3000 ms, then failed after 3 attempts; saw ${seen.join(" | ")}`,
      () =>
        expect(seen).toEqual([
          "+0: early false, ran true, queued, next +1000",
          "+1000: early false, ran true, queued, next +3000",
          "+3000: early false, ran true, failed",
        ]),
    );
  });

  it("[R6.3] leases a claim for 30 000 ms when leaseMs is left out", async () => {
    const clock = manualClock(Date.now());
    const id = await enqueue(pool, { type: "report", runAt: clock.date() });
    expect(await claimJob(pool, { workerId: "crashes", now: clock.date })).toMatchObject({
      id,
    });
    const rescuer = { workerId: "rescuer", now: clock.date };
    clock.advance(29_999);
    const before = await claimJob(pool, rescuer);
    clock.advance(1);
    const after = await claimJob(pool, rescuer);
    because(
      `expected the default lease of 30 000 ms: not claimable at +29 999 ms, claimable at +30 000 ms; got ${JSON.stringify({ before, after })}`,
      () =>
        expect({ before: before?.id ?? null, after: after?.id ?? null }).toEqual({
          before: null,
          after: id,
        }),
    );
  });

  it("[R6.1, R6.6] makes a job due at once and hands it {} when runAt, payload and now are left out", async () => {
    const aMinuteAgo = manualClock(Date.now() - 60_000);
    const id = await enqueue(pool, { type: "plain" });
    const early = await processNext(pool, async () => {}, {
      workerId: "w",
      now: aMinuteAgo.date,
    });
    because(
      "expected a job enqueued without runAt not to be due a minute before it was enqueued",
      () => expect(early).toBe(false),
    );
    const handled: unknown[] = [];
    const ran = await processNext(pool, async (job: Job) => void handled.push(job.payload), {
      workerId: "w",
    }); // the real clock
    because(
      `expected the job due at once on the real clock with payload {}, got ran=${ran}, payloads ${JSON.stringify(handled)}`,
      () => expect({ ran, handled }).toEqual({ ran: true, handled: [{}] }),
    );
    expect((await jobRow(id)).status).toBe("done");
    await enqueue(pool, { type: "later", runAt: new Date(Date.now() + 3_600_000) });
    const future = await processNext(pool, async () => {}, { workerId: "w" });
    because("expected a job due in an hour not to run on the real clock", () =>
      expect(future).toBe(false),
    );
  });
});
