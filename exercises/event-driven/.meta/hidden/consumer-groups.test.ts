import { because, eventually, startLearner } from "@backend-sandbox/testkit";
import type * as WorkerModule from "#src/worker";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals, installRejections } from "#support/fulfilment";
import { consumerNames, drained, groupInfo, pendingEntries } from "#support/stream-facts";
import { startWorker, workerOptions } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere } = useFulfilment();

describe("consumer-groups", () => {
  it("[R2.1] creates the group at 0, so events published before the first worker are applied", async () => {
    const where = newWhere();
    const events = firstEvents(random, 12);
    await append(services.redis, where.stream, events);
    const before = await groupInfo(services.redis, where.stream, where.group);
    await startWorker(learner, where, { consumer: "first" });
    await eventually("the 12 earlier events applied and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because(
      `expected no group before start(), then 12 events applied (seed ${random.seed})`,
      () => {
        expect(before).toBeUndefined();
        expect(seen.applications).toBe(12);
        expect(seen.units).toBe(expectedUnits(events).total);
      },
    );
  });

  it("[R2.1] creates a missing stream with its group, and reads what is published afterwards", async () => {
    const where = newWhere();
    await startWorker(learner, where, { consumer: "early" });
    const info = await groupInfo(services.redis, where.stream, where.group);
    because("expected start() to resolve with the stream and its group in place", () =>
      expect(info).toMatchObject({ pending: 0, lag: 0 }),
    );
    const events = firstEvents(random, 7);
    await append(services.redis, where.stream, events);
    await eventually("the 7 later events applied and acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const applied = (await appliedTotals(services.pg, events)).applications;
    because("expected the 7 events applied", () => expect(applied).toBe(7));
  });

  it("[R2.1, R2.3] shares one group between workers started at the same time in three processes", async () => {
    const where = newWhere();
    const events = firstEvents(random, 600);
    await append(services.redis, where.stream, events);
    const names = ["w-a", "w-b", "w-c"];
    const processes = await Promise.all(names.map(() => startLearner()));
    await Promise.all(processes.map((p, i) => startWorker(p, where, { consumer: names[i]! })));
    await eventually(
      "600 entries delivered and acknowledged",
      () => drained(services.redis, where.stream, where.group),
      { timeoutMs: 20_000 },
    );
    const seen = await appliedTotals(services.pg, events);
    const expected = expectedUnits(events);
    const consumers = await consumerNames(services.redis, where.stream, where.group);
    because(
      `expected each of 600 events applied exactly once: ${expected.total} units (seed ${random.seed})`,
      () => expect(seen).toEqual({ orders: 600, units: expected.total, applications: 600 }),
    );
    because("expected the three consumers, by their names, in the group", () =>
      expect(consumers.sort()).toEqual(names),
    );
  });

  it("[R2.2] leaves an entry whose effect Postgres rejected pending, and acknowledges the rest", async () => {
    const where = newWhere();
    const rejections = await installRejections(services.pg);
    const events = firstEvents(random, 9);
    const doomed = events[random.int(0, 8)]!;
    await rejections.reject(doomed.aggregateId);
    const ids = await append(services.redis, where.stream, events);
    await startWorker(learner, where, { consumer: "careful", claimIdleMs: 3_600_000 });
    await eventually(
      "8 events applied",
      async () => (await appliedTotals(services.pg, events)).applications,
      { until: (n) => n === 8 },
    );
    await eventually(
      "the group to have delivered all 9",
      async () => (await groupInfo(services.redis, where.stream, where.group))?.lag === 0,
    );
    const pending = await eventually(
      "only the rejected entry pending",
      () => pendingEntries(services.redis, where.stream, where.group),
      { until: (p) => p.length <= 1 },
    );
    because(
      "expected the rejected event's entry, and only it, still pending (never acknowledged)",
      () => expect(pending.map(([id]) => id)).toEqual([ids[events.indexOf(doomed)]]),
    );
  });

  it("[R2.4] reads nothing more once stop() has resolved", async () => {
    const where = newWhere();
    const worker = await startWorker(learner, where, { consumer: "leaving" });
    const first = firstEvents(random, 3);
    await append(services.redis, where.stream, first);
    await eventually("the first 3 applied", () =>
      drained(services.redis, where.stream, where.group),
    );
    await worker.stop();
    const later = firstEvents(random, 4);
    await append(services.redis, where.stream, later);
    await new Promise((r) => setTimeout(r, 300)); // six of the worker's 50 ms reads, had it gone on
    const info = await groupInfo(services.redis, where.stream, where.group);
    const applied = (await appliedTotals(services.pg, later)).applications;
    because("expected the 4 later entries undelivered (lag 4) and none applied", () => {
      expect(info).toMatchObject({ lag: 4, pending: 0 });
      expect(applied).toBe(0);
    });
  });

  it("[R2.1, R2.4] a worker left with its defaults (BLOCK 1000 ms) applies events and stops within 3 s", async () => {
    const where = newWhere();
    const worker = await learner
      .module<typeof WorkerModule>("worker")
      .createWorker(workerOptions(where, { consumer: "plain" }, true));
    await worker.start();
    const events = firstEvents(random, 5);
    await append(services.redis, where.stream, events);
    await eventually("the 5 events applied", () =>
      drained(services.redis, where.stream, where.group),
    );
    const started = performance.now();
    await worker.stop();
    const ms = performance.now() - started;
    because(
      `expected stop() to resolve within 3000 ms of an idle read; it took ${Math.round(ms)} ms`,
      () => expect(ms).toBeLessThan(3000),
    );
  });

  it("[R2.5] start() rejects with Redis's error when the key holds no stream, instead of running without a group", async () => {
    const where = newWhere();
    await services.redis.set(where.stream, "not a stream");
    const worker = await learner
      .module<typeof WorkerModule>("worker")
      .createWorker(workerOptions(where, { consumer: "misplaced" }));
    const outcome = await worker.start().then(
      () => "resolved",
      (error: { message?: string }) => String(error.message),
    );
    await worker.stop().catch(() => {});
    because(`expected start() to reject with Redis's WRONGTYPE error; it ${outcome}`, () =>
      expect(outcome).toMatch(/WRONGTYPE/),
    );
  });
});
