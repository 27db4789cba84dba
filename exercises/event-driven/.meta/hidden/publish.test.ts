import {
  because,
  redisClient,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type * as Publisher from "#src/publisher";
import type { OrderEvent } from "#src/types";
import { envelopeFields, orderEvent } from "#support/events";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const { publish } = learner.module<typeof Publisher>("publisher");
const newStream = () => `orders:${random.token(8)}`;
const redis = () => redisClient(services.redisUrl);

describe("publish", () => {
  it("[R1.1] appends each event as one entry in the envelope, in order, with Redis's IDs", async () => {
    const stream = newStream();
    const events = [
      orderEvent(random, { payload: { units: 0, note: "zwölf €", lines: [{ sku: "a", n: 2 }] } }),
      orderEvent(random, { type: "order.items_added", version: random.int(2, 99) }),
      orderEvent(random, { occurredAt: "2030-06-30T23:59:59Z" }),
    ];
    const ids: string[] = [];
    for (const event of events) ids.push(await publish(redis(), stream, event));
    const entries = await services.redis.xrange(stream, "-", "+");
    because(`expected 3 entries with the envelope's fields, in order (seed ${random.seed})`, () =>
      expect(entries).toEqual(events.map((event, i) => [ids[i], envelopeFields(event)])),
    );
    because("expected the payload as JSON text that reads back as the same object", () =>
      expect(JSON.parse(entries[0]![1][11]!)).toEqual(events[0]!.payload),
    );
  });

  it("[R1.2] rejects every malformed event with InvalidEventError and sends nothing", async () => {
    const good = orderEvent(random);
    const malformed: Array<[string, unknown]> = [
      ["no id", { ...good, id: undefined }],
      ["an empty type", { ...good, type: "" }],
      ["a 201-character aggregateId", { ...good, aggregateId: "a".repeat(201) }],
      ["a numeric id", { ...good, id: 42 }],
      ["version 0", { ...good, version: 0 }],
      ["version 1.5", { ...good, version: 1.5 }],
      ['version "2"', { ...good, version: "2" }],
      ["occurredAt without a time", { ...good, occurredAt: "2030-01-01" }],
      ["occurredAt with an offset", { ...good, occurredAt: "2030-01-01T00:00:00+02:00" }],
      ["occurredAt in words", { ...good, occurredAt: "yesterday" }],
      ["occurredAt on February 30th", { ...good, occurredAt: "2030-02-30T00:00:00Z" }],
      ["occurredAt as a number", { ...good, occurredAt: Date.UTC(2030, 0, 1) }],
      ["a null payload", { ...good, payload: null }],
      ["an array payload", { ...good, payload: [1, 2] }],
      ["a string payload", { ...good, payload: "{}" }],
      ["not an object at all", "evt"],
    ];
    for (const [what, event] of malformed) {
      const stream = newStream();
      const outcome = await publish(redis(), stream, event).then(
        (id) => `resolved with ${String(id)}`,
        (error: { name?: string }) => error.name,
      );
      const exists = await services.redis.exists(stream);
      because(`expected ${what} to reject with InvalidEventError and create no stream`, () => {
        expect(outcome).toBe("InvalidEventError");
        expect(exists).toBe(0);
      });
    }
  });

  it("[R1.2] accepts the edges of a well-formed event", async () => {
    const stream = newStream();
    const edges: OrderEvent[] = [
      orderEvent(random, { id: "e", type: "t", aggregateId: "a".repeat(200) }),
      orderEvent(random, { occurredAt: "2030-01-01T00:00:00.123Z", payload: {} }),
      orderEvent(random, { version: Number.MAX_SAFE_INTEGER }),
    ];
    for (const event of edges) await publish(redis(), stream, event);
    const length = await services.redis.xlen(stream);
    because("expected all 3 well-formed events appended", () => expect(length).toBe(3));
  });

  it("[R1.3] keeps the stream near maxLen: at least maxLen entries, the newest, and fewer than maxLen + 100", async () => {
    const stream = newStream();
    const maxLen = random.int(40, 60);
    const events = Array.from({ length: 260 }, () => orderEvent(random));
    let last = "";
    for (const event of events) last = await publish(redis(), stream, event, { maxLen });
    const length = await services.redis.xlen(stream);
    const newest = await services.redis.xrevrange(stream, "+", "-", "COUNT", maxLen);
    because(
      `expected ${maxLen} <= XLEN < ${maxLen + 100} after 260 events; XLEN is ${length}`,
      () => {
        expect(length).toBeGreaterThanOrEqual(maxLen);
        expect(length).toBeLessThan(maxLen + 100);
      },
    );
    because("expected the newest entries kept, the last one included", () => {
      expect(newest[0]![0]).toBe(last);
      expect(newest.map(([, f]) => f[1])).toEqual(
        events
          .slice(-maxLen)
          .reverse()
          .map((e) => e.id),
      );
    });
  });

  it("[R1.3] trims to about 10000 entries when maxLen is left out", async () => {
    const stream = newStream();
    const pipeline = services.redis.pipeline();
    for (let i = 0; i < 10_250; i++) pipeline.xadd(stream, "*", "id", `seed-${i}`);
    await pipeline.exec();
    await publish(redis(), stream, orderEvent(random));
    const length = await services.redis.xlen(stream);
    because(
      `expected 10000 <= XLEN < 10100 after publishing onto 10250 entries; XLEN is ${length}`,
      () => {
        expect(length).toBeGreaterThanOrEqual(10_000);
        expect(length).toBeLessThan(10_100);
      },
    );
  });

  it("[R1.3] trims approximately (MAXLEN ~), not to the exact length", async () => {
    const stream = newStream();
    const pipeline = services.redis.pipeline();
    for (let i = 0; i < 150; i++) pipeline.xadd(stream, "*", "id", `seed-${i}`);
    await pipeline.exec();
    // An exact trim cuts to 10 entries; MAXLEN ~ drops only whole macro nodes, and keeps 51.
    await publish(redis(), stream, orderEvent(random), { maxLen: 10 });
    const length = await services.redis.xlen(stream);
    because(
      `expected the approximate trim to keep the 51 entries of the last node; XLEN is ${length}`,
      () => expect(length).toBe(51),
    );
  });

  it("[R1.1] resolves each of 50 concurrent publishes with its own entry's ID", async () => {
    const stream = newStream();
    const events = Array.from({ length: 50 }, () => orderEvent(random));
    const ids = await Promise.all(events.map((event) => publish(redis(), stream, event)));
    const entries = await services.redis.xrange(stream, "-", "+");
    const byId = new Map(entries.map(([id, fields]) => [id, fields[1]]));
    because("expected 50 entries, each publish's ID naming the entry of its event", () => {
      expect(entries).toHaveLength(50);
      expect(ids.map((id) => byId.get(id))).toEqual(events.map((e) => e.id));
    });
  });
});
