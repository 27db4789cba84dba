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
import { append, envelopeFields, expectedUnits, firstEvents } from "#support/events";
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

describe("poison-events", () => {
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
