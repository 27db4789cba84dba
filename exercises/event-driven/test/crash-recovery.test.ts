import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, migrate } from "#support/fulfilment";
import { drained, pendingEntries, readAsGhost } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
afterEach(stopWorkers);

describe("crash-recovery", () => {
  it("[R3.1, R3.3] claims and applies what a vanished consumer left pending", async () => {
    const where = { ...services, stream: `orders:${random.token(8)}`, group: "fulfilment" };
    const events = firstEvents(random, 5);
    await append(services.redis, where.stream, events);
    await readAsGhost(services.redis, where.stream, where.group, 5); // read, never acknowledged
    await startWorker(learner, where, { consumer: "rescuer", claimIdleMs: 200 });
    await eventually("the ghost's 5 entries claimed, applied and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because("expected all 5 events applied", () => {
      expect(seen.units).toBe(expectedUnits(events).total);
      expect(seen.applications).toBe(5);
    });
    const pending = await pendingEntries(services.redis, where.stream, where.group);
    because("expected nothing left pending", () => expect(pending).toEqual([]));
  });
});
