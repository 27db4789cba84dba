import { because, eventually, startFaultProxy } from "@backend-sandbox/testkit";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, installRejections } from "#support/fulfilment";
import { drained, pendingEntries, readAsGhost } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere, applications } = useFulfilment();

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

  it("[R3.5] keeps trying after failed rounds, pausing between them, and goes on once the group is back", async () => {
    const where = newWhere();
    const proxy = await startFaultProxy(services.redisUrl); // counts the worker's commands
    await startWorker(learner, { ...where, redisUrl: proxy.url }, { consumer: "stubborn" });
    // The group deleted under the worker: each claim and read is answered NOGROUP.
    await services.redis.xgroup("DESTROY", where.stream, where.group);
    await new Promise((r) => setTimeout(r, 100));
    const [before, started] = [proxy.commands(), performance.now()];
    const pausesBefore = proxy.sendsAfterIdle(50);
    await new Promise((r) => setTimeout(r, 1000)); // failed rounds only
    const sent = proxy.commands() - before;
    const perSecond = sent / ((performance.now() - started) / 1000);
    // A busy machine slows a loop without pauses too; its pauses, not its rate, tell it apart.
    const pauses = proxy.sendsAfterIdle(50) - pausesBefore;
    await services.redis.xgroup("CREATE", where.stream, where.group, "$");
    const events = firstEvents(random, 5);
    await append(services.redis, where.stream, events);
    await eventually(
      "the 5 events published once the group was back applied",
      () => applications(events),
      { until: (n) => n === 5 },
    );
    because(
      `expected a pause of 50 ms or more after each failed round (at most 60 commands a second); the worker sent ${Math.round(perSecond)} a second`,
      () => expect(perSecond).toBeLessThanOrEqual(60),
    );
    because(
      `expected the worker's connections to Redis to go quiet for 50 ms after each failed round (a round of at most 4 commands); it sent ${sent} commands with ${pauses} such pauses`,
      () => expect(sent).toBeLessThanOrEqual(4 * (pauses + 1)),
    );
  });
});
