import {
  because,
  eventually,
  startFaultProxy,
  startLearner,
  type FaultProxy,
} from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, fulfilled } from "#support/fulfilment";
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

/**
 * 150 events through the worker, with a 400 ms outage of `proxy` (new connections refused, open
 * ones dropped) once 20 are applied: afterwards every entry is applied and acknowledged, none lost.
 */
async function outlivesAnOutage(where: { stream: string; group: string }, proxy: FaultProxy) {
  const events = firstEvents(random, 150);
  await append(services.redis, where.stream, events);
  await eventually("20 events applied", () => applications(events), { until: (n) => n >= 20 });
  proxy.refuseConnections();
  proxy.dropConnections();
  await new Promise((r) => setTimeout(r, 400)); // the outage
  proxy.acceptConnections();
  await eventually(
    "every entry applied and acknowledged",
    () => drained(services.redis, where.stream, where.group),
    { timeoutMs: 15_000 },
  );
  const missing = await lost(events);
  because(`expected none of 150 events lost to the outage; ${missing} lost`, () =>
    expect(missing).toBe(0),
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
    await eventually(`${when} events applied`, () => applications(events), {
      until: (n) => n >= when,
    });
    await processes[random.int(0, 2)]!.stop();
    await eventually(
      "every entry acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 20_000,
      },
    );
    const missing = await lost(events);
    because(
      `expected every one of 900 events applied at least once; ${missing} lost (seed ${random.seed})`,
      () => expect(missing).toBe(0),
    );
  });

  it("[R3.4] outlives Postgres refusing and dropping connections, and applies everything once it is back", async () => {
    const where = newWhere();
    const pg = await startFaultProxy(services.databaseUrl);
    await startWorker(
      learner,
      { ...where, databaseUrl: pg.url },
      { consumer: "steady", claimIdleMs: 1000 },
    );
    await outlivesAnOutage(where, pg);
  });

  it("[R3.4] outlives Redis refusing and dropping connections, its commands failing meanwhile", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    // A client that fails its commands after one reconnection attempt: the worker sees the errors.
    const redisOptions = { maxRetriesPerRequest: 1 };
    await startWorker(
      learner,
      { ...where, redisUrl: redis.url, redisOptions },
      { consumer: "bumpy" },
    );
    await outlivesAnOutage(where, redis);
  });

  it("[R3.4] outlives a paused Redis: once it resumes, every event is applied once", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    await startWorker(learner, { ...where, redisUrl: redis.url }, { consumer: "paused" });
    const events = firstEvents(random, 200);
    await append(services.redis, where.stream, events);
    await eventually("30 events applied", () => applications(events), { until: (n) => n >= 30 });
    redis.pause();
    await new Promise((r) => setTimeout(r, 500));
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
