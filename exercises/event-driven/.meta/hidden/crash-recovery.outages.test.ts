import { because, eventually, startFaultProxy, startLearner } from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, fulfilled, lockFulfilment } from "#support/fulfilment";
import { drained, pendingEntries } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";
import type { OrderEvent } from "#src/types";

const { services, learner, random, newWhere, applications } = useFulfilment();
/** Orders of `events` with no event applied: what was lost. */
const lost = async (events: OrderEvent[]) => {
  const rows = await fulfilled(services.pg, events);
  return events.filter((e) => !rows.get(e.aggregateId)?.applied.includes(e.version)).length;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes `events` and waits until the worker has applied them: it runs, its connections open. */
async function appliedBefore(where: { stream: string }, events: OrderEvent[]) {
  await append(services.redis, where.stream, events);
  await eventually(`the first ${events.length} events applied`, () => applications(events), {
    until: (n) => n >= events.length,
  });
}

/** After an outage: every entry applied and acknowledged, none of `events` lost. */
async function appliedAfterwards(where: { stream: string; group: string }, events: OrderEvent[]) {
  await eventually(
    "every entry applied and acknowledged",
    () => drained(services.redis, where.stream, where.group),
    { timeoutMs: 15_000 },
  );
  const missing = await lost(events);
  because(
    `expected none of ${events.length} events lost to the outage; ${missing} lost (seed ${random.seed})`,
    () => expect(missing).toBe(0),
  );
}

describe("crash-recovery", () => {
  it("[R3.3] loses nothing when a worker is killed (SIGKILL) in the middle of an event", async () => {
    const where = newWhere();
    const pg = await startFaultProxy(services.databaseUrl);
    const doomed = await startLearner();
    await startWorker(doomed, { ...where, databaseUrl: pg.url }, { consumer: "doomed" });
    pg.pause(); // its transaction hangs half-way: read from Redis, not committed
    const events = firstEvents(random, 20);
    await append(services.redis, where.stream, events);
    const held = await eventually(
      "the doomed worker to hold entries",
      () => pendingEntries(services.redis, where.stream, where.group, "doomed"),
      { until: (p) => p.length > 0 },
    );
    await doomed.stop(); // SIGKILL
    await startWorker(learner, where, { consumer: "rescuer" });
    await eventually("all 20 applied and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because(
      `expected the ${held.length} held entries and the rest applied, each once (seed ${random.seed})`,
      () =>
        expect(seen).toEqual({ orders: 20, units: expectedUnits(events).total, applications: 20 }),
    );
  });

  it("[R3.3] loses nothing when one of three workers is killed (SIGKILL) during a burst of 900 events", async () => {
    const where = newWhere();
    const processes = await Promise.all([startLearner(), startLearner(), startLearner()]);
    await Promise.all(processes.map((p, i) => startWorker(p, where, { consumer: `burst-${i}` })));
    const events = firstEvents(random, 900);
    await append(services.redis, where.stream, events);
    const when = random.int(100, 400);
    // A checkpoint that times the kill, not a deadline of the rule: on a loaded machine three
    // workers applied 292 events in 5 s (2 of 20 runs of `verify --repeat 20`).
    await eventually(`${when} events applied`, () => applications(events), {
      timeoutMs: 20_000,
      until: (n) => n >= when,
    });
    await processes[random.int(0, 2)]!.stop();
    await eventually(
      "every entry acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 30_000,
      },
    );
    const missing = await lost(events);
    because(
      `expected every one of 900 events applied at least once; ${missing} lost (seed ${random.seed})`,
      () => expect(missing).toBe(0),
    );
  }, 90_000);

  it("[R3.4] outlives Postgres dropping its connection in the middle of a statement and refusing new ones, and applies everything once it is back", async () => {
    const where = newWhere();
    const pg = await startFaultProxy(services.databaseUrl);
    await startWorker(
      learner,
      { ...where, databaseUrl: pg.url },
      { consumer: "steady", claimIdleMs: 1000 },
    );
    const events = firstEvents(random, 150);
    await appliedBefore(where, events.slice(0, 20));
    // The fulfilment table locked: the worker's next write waits in Postgres, its query in flight.
    const lock = await lockFulfilment(services.pg);
    try {
      await append(services.redis, where.stream, events.slice(20));
      await eventually("a statement of the worker waiting on the table lock", lock.waiting, {
        until: (n) => n > 0,
      });
      pg.refuseConnections();
      pg.dropConnections(); // that query fails (ECONNRESET), and so do connections meanwhile
    } finally {
      await lock.release();
    }
    await sleep(500);
    pg.acceptConnections();
    await appliedAfterwards(where, events);
  });

  it("[R3.4, R3.5] outlives Redis dropping and refusing connections until its commands fail, and applies everything once it is back", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    // A client whose commands fail rather than wait out the outage: a command sent before the drop
    // times out after 500 ms, one sent during it fails after one reconnection attempt (or times out).
    const redisOptions = { maxRetriesPerRequest: 1, commandTimeout: 500 };
    await startWorker(
      learner,
      { ...where, redisUrl: redis.url, redisOptions },
      { consumer: "bumpy" },
    );
    const events = firstEvents(random, 150);
    await appliedBefore(where, events.slice(0, 20));
    await append(services.redis, where.stream, events.slice(20, 85));
    redis.refuseConnections();
    redis.dropConnections();
    await append(services.redis, where.stream, events.slice(85)); // published during the outage
    await sleep(1500); // three times commandTimeout: whatever the worker sends meanwhile is rejected
    redis.acceptConnections();
    await appliedAfterwards(where, events);
  });

  it("[R3.4] outlives a paused Redis: once it resumes, every event is applied once", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    await startWorker(learner, { ...where, redisUrl: redis.url }, { consumer: "paused" });
    const events = firstEvents(random, 200);
    await append(services.redis, where.stream, events);
    await eventually("30 events applied", () => applications(events), { until: (n) => n >= 30 });
    redis.pause();
    await sleep(500);
    redis.resume();
    await eventually(
      "every entry applied and acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 15_000,
      },
    );
    const seen = await appliedTotals(services.pg, events);
    because(`expected 200 events applied once each (seed ${random.seed})`, () =>
      expect(seen).toEqual({ orders: 200, units: expectedUnits(events).total, applications: 200 }),
    );
  });
});
