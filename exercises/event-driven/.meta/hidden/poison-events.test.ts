import { because, eventually } from "@backend-sandbox/testkit";
import { append, envelopeFields, expectedUnits, firstEvents, orderEvent } from "#support/events";
import { appliedTotals, installRejections } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere } = useFulfilment();
const deadLetters = (stream: string) => services.redis.xrange(stream, "-", "+");
const fieldsOf = (fields: string[]) => {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  return map;
};

describe("poison-events", () => {
  it("[R5.1, R5.2] dead-letters an event that always fails after maxDeliveries, with its error, and acknowledges it", async () => {
    const where = newWhere();
    const rejections = await installRejections(services.pg);
    const events = firstEvents(random, 12);
    const poison = events[random.int(0, 11)]!;
    await rejections.reject(poison.aggregateId);
    const ids = await append(services.redis, where.stream, events);
    const deadLetterStream = `${where.stream}:graveyard`;
    await startWorker(learner, where, { consumer: "w", maxDeliveries: 3, deadLetterStream });
    await eventually("every entry acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const dead = await deadLetters(deadLetterStream);
    const healthy = events.filter((e) => e !== poison);
    const seen = await appliedTotals(services.pg, healthy);
    because(`expected the other 11 events applied (seed ${random.seed})`, () =>
      expect(seen.units).toBe(expectedUnits(healthy).total),
    );
    because(
      "expected one dead letter: the entry's fields, then error, deliveries 3 and streamId",
      () => {
        expect(dead).toHaveLength(1);
        const fields = dead[0]![1];
        expect(fields.slice(0, 12)).toEqual(envelopeFields(poison));
        expect(fields.slice(12).filter((_, i) => i % 2 === 0)).toEqual([
          "error",
          "deliveries",
          "streamId",
        ]);
        expect(fieldsOf(fields)).toMatchObject({
          deliveries: "3",
          streamId: ids[events.indexOf(poison)],
        });
        expect(fieldsOf(fields).error).toContain("rejected by the test");
      },
    );
  });

  it("[R5.1] dead-letters after 5 deliveries onto <stream>:dead when the options are left out", async () => {
    const where = newWhere();
    const poison = orderEvent(random, { units: -1 }); // applyEvent throws on negative units
    await append(services.redis, where.stream, [poison]);
    await startWorker(learner, where, { consumer: "w", claimIdleMs: 100 });
    await eventually("the entry acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const dead = await deadLetters(`${where.stream}:dead`);
    because("expected one dead letter on <stream>:dead, delivered 5 times", () => {
      expect(dead).toHaveLength(1);
      expect(fieldsOf(dead[0]![1])).toMatchObject({ id: poison.id, deliveries: "5" });
      expect(fieldsOf(dead[0]![1]).error).toMatch(/units/);
    });
  });

  it("[R5.3] dead-letters malformed entries and applies the entries around them", async () => {
    const where = newWhere();
    const good = firstEvents(random, 6);
    const base = envelopeFields(orderEvent(random));
    const malformed = [
      ["id", `evt_${random.token(8)}`, "type", "order.placed"], // most fields missing
      base.map((v, i) => (i === 7 ? "two" : v)), // version is not a number
      base.map((v, i) => (i === 11 ? "{units: 1" : v)), // payload is not JSON
      base.map((v, i) => (i === 9 ? "yesterday" : v)), // occurredAt is not a timestamp
    ];
    const pipeline = services.redis.pipeline();
    pipeline.xadd(where.stream, "*", ...malformed[0]!);
    for (const [i, event] of good.entries()) {
      pipeline.xadd(where.stream, "*", ...envelopeFields(event));
      if (i === 2) pipeline.xadd(where.stream, "*", ...malformed[1]!);
    }
    pipeline.xadd(where.stream, "*", ...malformed[2]!);
    pipeline.xadd(where.stream, "*", ...malformed[3]!);
    await pipeline.exec();
    await startWorker(learner, where, { consumer: "w", maxDeliveries: 2 });
    await eventually("every entry acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const dead = await deadLetters(`${where.stream}:dead`);
    const seen = await appliedTotals(services.pg, good);
    because(
      "expected the 6 good events applied and the 4 malformed ones dead-lettered, their fields kept",
      () => {
        expect(seen.applications).toBe(6);
        expect(dead.map(([, f]) => f.slice(0, -6)).sort()).toEqual([...malformed].sort());
      },
    );
  });

  it("[R5.1, R2.3] dead-letters one poison event once among 300 shared by two workers, and applies the rest once", async () => {
    const where = newWhere();
    const events = firstEvents(random, 299);
    const poison = orderEvent(random, { units: -random.int(1, 9) });
    const at = random.int(0, 299);
    await append(services.redis, where.stream, [
      ...events.slice(0, at),
      poison,
      ...events.slice(at),
    ]);
    for (const consumer of ["left", "right"])
      await startWorker(learner, where, { consumer, maxDeliveries: 3, claimIdleMs: 500 });
    await eventually(
      "every entry acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 15_000,
      },
    );
    const dead = await deadLetters(`${where.stream}:dead`);
    const seen = await appliedTotals(services.pg, events);
    because(
      `expected one dead letter (the poison event) and 299 events applied once (seed ${random.seed})`,
      () => {
        expect(dead.map(([, f]) => fieldsOf(f).id)).toEqual([poison.id]);
        expect(seen).toEqual({
          orders: 299,
          units: expectedUnits(events).total,
          applications: 299,
        });
      },
    );
  });
});
