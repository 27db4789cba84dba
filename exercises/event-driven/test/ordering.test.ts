import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, orderEvent } from "#support/events";
import { fulfilled, migrate } from "#support/fulfilment";
import { drained } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);

describe("ordering", () => {
  it("[R6.1, R6.2] applies an order's versions in order though version 2 was published first", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const aggregateId = `ord_${random.token(8)}`;
    const v1 = orderEvent(random, { aggregateId, version: 1 });
    const v2 = orderEvent(random, { aggregateId, version: 2 });
    await append(services.redis, where.stream, [v2, v1]);
    await startWorker(learner, where, { consumer: "worker-1", claimIdleMs: 100 });
    await eventually("both entries acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const row = (await fulfilled(services.pg, [v1])).get(aggregateId);
    because("expected versions applied as [1, 2]", () => expect(row?.applied).toEqual([1, 2]));
  });
});
