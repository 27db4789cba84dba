import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, envelopeFields, orderEvent } from "#support/events";
import { appliedTotals, migrate } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);

describe("poison-events", () => {
  it("[R5.1, R5.2] moves an event that keeps failing to the dead-letter stream, and applies the next one", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const poison = orderEvent(random, { units: -3 }); // applyEvent refuses negative units
    const healthy = orderEvent(random);
    const [poisonId] = await append(services.redis, where.stream, [poison, healthy]);
    await startWorker(learner, where, { consumer: "worker-1", maxDeliveries: 2 });
    await eventually("both entries acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const dead = await services.redis.xrange(`${where.stream}:dead`, "-", "+");
    because(
      "expected one dead letter: the entry's fields, its error, 2 deliveries and its ID",
      () => {
        expect(dead).toHaveLength(1);
        expect(dead[0]![1]).toEqual([
          ...envelopeFields(poison),
          "error",
          expect.stringContaining("units"),
          "deliveries",
          "2",
          "streamId",
          poisonId,
        ]);
      },
    );
    const seen = await appliedTotals(services.pg, [healthy]);
    because("expected the healthy event applied", () => expect(seen.applications).toBe(1));
  });
});
