import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, expectedUnits, orderEvent } from "#support/events";
import { appliedTotals, migrate } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);

describe("idempotency", () => {
  it("[R4.1, R4.2] applies an event published twice once", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const event = orderEvent(random, { units: 5 });
    await append(services.redis, where.stream, [event, event]);
    await startWorker(learner, where, { consumer: "worker-1" });
    await eventually("both entries acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, [event]);
    because("expected 5 units, applied once", () =>
      expect(seen).toEqual({ orders: 1, units: expectedUnits([event]).total, applications: 1 }),
    );
  });
});
