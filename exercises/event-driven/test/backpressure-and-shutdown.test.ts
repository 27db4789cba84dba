import {
  because,
  eventually,
  seededRandom,
  startFaultProxy,
  startLearner,
  useLearner,
  useServices,
  within,
} from "@backend-sandbox/testkit";
import type * as Main from "#src/main";
import { append, firstEvents } from "#support/events";
import { migrate } from "#support/fulfilment";
import { groupInfo, pendingEntries } from "#support/stream-facts";
import { workerOptions } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));

describe("backpressure-and-shutdown", () => {
  it("[R7.1, R7.4] holds at most maxInFlight entries, and on SIGTERM acknowledges them and exits with 0", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const pg = await startFaultProxy(services.databaseUrl);
    await append(services.redis, where.stream, firstEvents(random, 30));
    pg.pause(); // Postgres hangs: the worker holds what it read
    const worker = await startLearner();
    await worker
      .module<typeof Main>("main")
      .runWorker(
        workerOptions({ ...where, databaseUrl: pg.url }, { consumer: "w", maxInFlight: 4 }),
      );
    const held = await eventually(
      "the worker to hold entries",
      async () => (await pendingEntries(services.redis, where.stream, where.group, "w")).length,
      { until: (n) => n > 0 },
    );
    because(`expected at most 4 entries held, saw ${held}`, () =>
      expect(held).toBeLessThanOrEqual(4),
    );
    await worker.signal("SIGTERM");
    setTimeout(() => pg.resume(), 200);
    const exit = await within(5000, "the worker to exit after SIGTERM", worker.exited());
    const info = await groupInfo(services.redis, where.stream, where.group);
    because("expected exit code 0 and nothing left pending", () => {
      expect(exit).toEqual({ code: 0, signal: null });
      expect(info?.pending).toBe(0);
    });
  });
});
