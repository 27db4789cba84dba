import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, installRejections, migrate } from "#support/fulfilment";
import { drained, pendingEntries, readAsGhost } from "#support/stream-facts";
import { startWorker, stopWorkers } from "#support/workers";
import type { OrderEvent } from "#src/types";

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
const applications = async (events: OrderEvent[]) =>
  (await appliedTotals(services.pg, events)).applications;

describe("crash-recovery", () => {
  it("[R3.1, R3.3] two workers claim what two vanished consumers left, and apply each event once", async () => {
    const where = newWhere();
    const events = firstEvents(random, 30);
    await append(services.redis, where.stream, events);
    const held = await readAsGhost(services.redis, where.stream, where.group, 20);
    await startWorker(learner, where, { consumer: "one" });
    await startWorker(learner, where, { consumer: "two" });
    await eventually("all 30 entries applied and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because(
      `expected the ghost's 20 and the 10 others applied once each (seed ${random.seed})`,
      () => {
        expect(held).toHaveLength(20);
        expect(seen).toEqual({ orders: 30, units: expectedUnits(events).total, applications: 30 });
      },
    );
  });

  it("[R3.2] leaves entries pending for less than claimIdleMs to their consumer", async () => {
    const where = newWhere();
    await append(services.redis, where.stream, firstEvents(random, 3));
    const held = await readAsGhost(services.redis, where.stream, where.group, 3);
    await startWorker(learner, where, { consumer: "patient", claimIdleMs: 60_000 });
    const later = firstEvents(random, 4);
    await append(services.redis, where.stream, later);
    await eventually("the 4 later events applied", () => applications(later), {
      until: (n) => n === 4,
    });
    await new Promise((r) => setTimeout(r, 300)); // several more rounds of the worker's loop
    const pending = await pendingEntries(services.redis, where.stream, where.group);
    because("expected the ghost's 3 entries still pending, still the ghost's", () =>
      expect(pending.map(([id, consumer]) => [id, consumer])).toEqual(
        held.map((id) => [id, "ghost"]),
      ),
    );
  });

  it("[R3.1, R3.2] claims nothing idle for less than 30 s when claimIdleMs is left out", async () => {
    const where = newWhere();
    await append(services.redis, where.stream, firstEvents(random, 2));
    const held = await readAsGhost(services.redis, where.stream, where.group, 2);
    await new Promise((r) => setTimeout(r, 1000)); // idle 1 s: past any claimIdleMs a test uses elsewhere
    await startWorker(learner, where, { consumer: "default", blockMs: 50 }, { defaults: true });
    const later = firstEvents(random, 3);
    await append(services.redis, where.stream, later);
    await eventually("the 3 later events applied", () => applications(later), {
      until: (n) => n === 3,
    });
    await new Promise((r) => setTimeout(r, 300));
    const pending = await pendingEntries(services.redis, where.stream, where.group);
    because("expected the ghost's 2 entries (idle about 1.5 s) left to the ghost", () =>
      expect(pending.map(([id, consumer]) => [id, consumer])).toEqual(
        held.map((id) => [id, "ghost"]),
      ),
    );
  });

  it("[R3.1, R2.2] claims its own failed entry again after claimIdleMs, and applies it once it can", async () => {
    const where = newWhere();
    const rejections = await installRejections(services.pg);
    const events = firstEvents(random, 6);
    const unlucky = events[random.int(0, 5)]!;
    await rejections.reject(unlucky.aggregateId);
    await append(services.redis, where.stream, events);
    // maxDeliveries (stage 5) high: on a slow machine the failing event must not be dead-lettered.
    await startWorker(learner, where, { consumer: "solo", claimIdleMs: 300, maxDeliveries: 1000 });
    await eventually("5 events applied", () => applications(events), { until: (n) => n === 5 });
    await rejections.allow(unlucky.aggregateId);
    await eventually("the failed event applied on a later claim", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because("expected all 6 events applied, once each", () =>
      expect(seen).toEqual({ orders: 6, units: expectedUnits(events).total, applications: 6 }),
    );
  });
});
