import {
  because,
  redisClient,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type * as Publisher from "#src/publisher";
import { envelopeFields, orderEvent } from "#support/events";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const { publish } = learner.module<typeof Publisher>("publisher");

describe("publish", () => {
  it("[R1.1] appends one entry in the envelope and resolves with its ID", async () => {
    const stream = `orders:${random.token(8)}`;
    const event = orderEvent(random, { payload: { units: 3 } });
    const id = await publish(redisClient(services.redisUrl), stream, event);
    const entries = await services.redis.xrange(stream, "-", "+");
    because(`expected one entry, with the ID publish resolved with and the envelope's fields`, () =>
      expect(entries).toEqual([[id, envelopeFields(event)]]),
    );
  });

  it("[R1.2] rejects an event without an id, and sends nothing", async () => {
    const stream = `orders:${random.token(8)}`;
    const event = { ...orderEvent(random), id: "" };
    await expect(publish(redisClient(services.redisUrl), stream, event)).rejects.toMatchObject({
      name: "InvalidEventError",
    });
    const exists = await services.redis.exists(stream);
    because("expected no stream created", () => expect(exists).toBe(0));
  });
});
