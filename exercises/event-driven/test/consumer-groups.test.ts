import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, migrate } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);

describe("consumer-groups", () => {
  it("[R2.1, R2.2, R2.3] two workers apply every event once and acknowledge it", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const events = firstEvents(random, 40);
    await append(services.redis, where.stream, events);
    await startWorker(learner, where, { consumer: "worker-1" });
    await startWorker(learner, where, { consumer: "worker-2" });
    await eventually("every entry delivered and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const expected = expectedUnits(events);
    const seen = await appliedTotals(services.pg, events);
    because(`expected ${events.length} events applied once (seed ${random.seed})`, () =>
      expect(seen).toEqual({ orders: expected.orders, units: expected.total, applications: 40 }),
    );
  });
});
