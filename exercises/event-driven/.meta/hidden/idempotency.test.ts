import { because, eventually, startLearner } from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, installRejections } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere, applications } = useFulfilment();
const recorded = async (events: OrderEvent[]) =>
  Number(
    (
      await services.pg.query(
        "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY($1)",
        [events.map((e) => e.id)],
      )
    ).rows[0].n,
  );
const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};
const exactly = (events: OrderEvent[]) => ({
  orders: events.length,
  units: expectedUnits(events).total,
  applications: events.length,
});

describe("idempotency", () => {
  it("[R4.1, R4.2] applies an event published three times once, records its id once, and acknowledges all three", async () => {
    const where = newWhere();
    const events = firstEvents(random, 8);
    const twice = events[random.int(0, 7)]!;
    await append(services.redis, where.stream, [twice, ...events, twice]);
    await startWorker(learner, where, { consumer: "once" });
    await eventually("all 10 entries acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    const rows = await recorded(events);
    because(`expected 8 events applied once each and 8 ids recorded (seed ${random.seed})`, () => {
      expect(seen).toEqual(exactly(events));
      expect(rows).toBe(8);
    });
  });

  it("[R4.2] applies each of 150 events once when every one arrives three times, shuffled, over three processes", async () => {
    const where = newWhere();
    const events = firstEvents(random, 150);
    await append(services.redis, where.stream, shuffled([...events, ...events, ...events]));
    const processes = await Promise.all([startLearner(), startLearner(), startLearner()]);
    await Promise.all(processes.map((p, i) => startWorker(p, where, { consumer: `dup-${i}` })));
    await eventually(
      "450 entries acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 20_000,
      },
    );
    const seen = await appliedTotals(services.pg, events);
    because(`expected 150 events applied once each (seed ${random.seed})`, () =>
      expect(seen).toEqual(exactly(events)),
    );
  });

  it("[R4.3] records nothing when the effect fails, so a later delivery applies the event", async () => {
    const where = newWhere();
    const rejections = await installRejections(services.pg);
    const events = firstEvents(random, 5);
    const unlucky = events[random.int(0, 4)]!;
    await rejections.reject(unlucky.aggregateId);
    await append(services.redis, where.stream, events);
    // maxDeliveries (stage 5) high: on a slow machine the failing event must not be dead-lettered.
    await startWorker(learner, where, { consumer: "retry", claimIdleMs: 300, maxDeliveries: 1000 });
    await eventually("4 events applied", () => applications(events), { until: (n) => n === 4 });
    // The failed event's effect was tried and refused at least once: only then does "nothing
    // recorded" say something (on a loaded machine its first try can come after the other four).
    await eventually("the 5th event's effect refused once", () => rejections.refused(), {
      until: (n) => n >= 1,
    });
    const early = await recorded([unlucky]);
    await rejections.allow(unlucky.aggregateId);
    await eventually("the 5th applied on a later delivery", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because(
      "expected the failed event's id unrecorded after its failure, then all 5 applied once",
      () => {
        expect(early).toBe(0);
        expect(seen).toEqual(exactly(events));
      },
    );
  });
});
