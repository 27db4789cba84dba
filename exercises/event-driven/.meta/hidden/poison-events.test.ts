import {
  because,
  eventually,
  redisClient,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type * as DeadLetter from "#src/dead-letter";
import type { OrderEvent } from "#src/types";
import { append, envelopeFields, expectedUnits, firstEvents, orderEvent } from "#support/events";
import { appliedTotals, installRejections, migrate } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);
const newWhere = () => ({
  ...services,
  stream: `orders:${random.token(8)}`,
  group: `g-${random.token(6)}`,
});
const { replayDeadLetters } = learner.module<typeof DeadLetter>("dead-letter");
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
    ];
    const pipeline = services.redis.pipeline();
    pipeline.xadd(where.stream, "*", ...malformed[0]!);
    for (const [i, event] of good.entries()) {
      pipeline.xadd(where.stream, "*", ...envelopeFields(event));
      if (i === 2) pipeline.xadd(where.stream, "*", ...malformed[1]!);
    }
    pipeline.xadd(where.stream, "*", ...malformed[2]!);
    await pipeline.exec();
    await startWorker(learner, where, { consumer: "w", maxDeliveries: 2 });
    await eventually("every entry acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const dead = await deadLetters(`${where.stream}:dead`);
    const seen = await appliedTotals(services.pg, good);
    because(
      "expected the 6 good events applied and the 3 malformed ones dead-lettered, their fields kept",
      () => {
        expect(seen.applications).toBe(6);
        expect(dead.map(([, f]) => f.slice(0, -6)).sort()).toEqual([...malformed].sort());
      },
    );
  });

  it("[R5.4] replays dead letters onto the stream with their original fields, and they are applied", async () => {
    const where = newWhere();
    const rejections = await installRejections(services.pg);
    const events = firstEvents(random, 4);
    for (const e of events) await rejections.reject(e.aggregateId);
    await append(services.redis, where.stream, events);
    await startWorker(learner, where, { consumer: "w", maxDeliveries: 1 });
    await eventually(
      "4 dead letters",
      async () => (await deadLetters(`${where.stream}:dead`)).length === 4,
    );
    for (const e of events) await rejections.allow(e.aggregateId);
    const moved = await replayDeadLetters(redisClient(services.redisUrl), { stream: where.stream });
    await eventually("the replayed events applied", () =>
      drained(services.redis, where.stream, where.group),
    );
    const replayed = (await services.redis.xrange(where.stream, "-", "+"))
      .slice(4)
      .map(([, f]) => f);
    const left = await deadLetters(`${where.stream}:dead`);
    const seen = await appliedTotals(services.pg, events);
    because(
      "expected 4 moved back with the envelope's fields only, none left, and all applied once",
      () => {
        expect(moved).toBe(4);
        expect(replayed).toEqual(events.map(envelopeFields));
        expect(left).toEqual([]);
        expect(seen).toEqual({ orders: 4, units: expectedUnits(events).total, applications: 4 });
      },
    );
  });

  it("[R5.4] replays at most count dead letters, oldest first, and 100 when count is left out", async () => {
    const stream = `orders:${random.token(8)}`;
    const deadLetterStream = `${stream}:morgue`;
    const events: OrderEvent[] = firstEvents(random, 130);
    const pipeline = services.redis.pipeline();
    for (const e of events)
      pipeline.xadd(
        deadLetterStream,
        "*",
        ...envelopeFields(e),
        "error",
        "boom",
        "deliveries",
        "5",
        "streamId",
        "1-1",
      );
    await pipeline.exec();
    const redis = redisClient(services.redisUrl);
    const first = await replayDeadLetters(redis, { stream, deadLetterStream, count: 7 });
    const second = await replayDeadLetters(redis, { stream, deadLetterStream });
    const replayed = (await services.redis.xrange(stream, "-", "+")).map(([, f]) => f[1]);
    const left = await services.redis.xlen(deadLetterStream);
    because("expected 7, then 100 replayed, in the dead letters' order, and 23 left", () => {
      expect([first, second]).toEqual([7, 100]);
      expect(replayed).toEqual(events.slice(0, 107).map((e) => e.id));
      expect(left).toBe(23);
    });
  });
});
