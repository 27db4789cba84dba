import { because, eventually } from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";
import { append, expectedUnits, orderEvent } from "#support/events";
import { fulfilled } from "#support/fulfilment";
import { drained, pendingEntries } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere } = useFulfilment();
/** Versions 1..n of one new order. */
const history = (n: number): OrderEvent[] => {
  const aggregateId = `ord_${random.token(10)}`;
  return Array.from({ length: n }, (_, i) => orderEvent(random, { aggregateId, version: i + 1 }));
};
const appliedOf = async (events: OrderEvent[]) =>
  [...(await fulfilled(services.pg, events)).values()].map((row) => row.applied);

describe("ordering", () => {
  it("[R6.1, R6.2] applies versions 1, 2, 3 in order though they were published 3, 2, 1", async () => {
    const where = newWhere();
    const events = history(3);
    await append(services.redis, where.stream, [...events].reverse());
    await startWorker(learner, where, { consumer: "w", claimIdleMs: 100 });
    await eventually("all 3 acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const applied = await appliedOf(events);
    because("expected the versions applied as 1, 2, 3", () => expect(applied).toEqual([[1, 2, 3]]));
  });

  it("[R6.2] waits for a missing version instead of skipping it, then applies the rest in order", async () => {
    const where = newWhere();
    const [v1, v2, v3, v4] = history(4);
    const ids = await append(services.redis, where.stream, [v1!, v3!, v4!]);
    await startWorker(learner, where, { consumer: "w", claimIdleMs: 100 });
    await eventually("version 1 applied", () => appliedOf([v1!]), {
      until: (a) => a[0]?.length === 1,
    });
    await new Promise((r) => setTimeout(r, 600)); // several claims of versions 3 and 4
    const waiting = (await pendingEntries(services.redis, where.stream, where.group)).map(
      ([id]) => id,
    );
    const before = await appliedOf([v1!]);
    because(
      "expected only version 1 applied while 2 is missing, and versions 3 and 4 still pending",
      () => {
        expect(before).toEqual([[1]]);
        expect(waiting).toEqual([ids[1], ids[2]]);
      },
    );
    await append(services.redis, where.stream, [v2!]);
    await eventually("all 4 acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const after = await appliedOf([v1!]);
    because("expected 1, 2, 3, 4 once version 2 came", () => expect(after).toEqual([[1, 2, 3, 4]]));
  });

  it("[R6.2, R5.1] never dead-letters an event for waiting on a missing version", async () => {
    const where = newWhere();
    const [v1, v2] = history(2);
    await append(services.redis, where.stream, [v2!]);
    await startWorker(learner, where, { consumer: "w", claimIdleMs: 50, maxDeliveries: 2 });
    await new Promise((r) => setTimeout(r, 700)); // a dozen claims of version 2
    const dead = await services.redis.xlen(`${where.stream}:dead`);
    await append(services.redis, where.stream, [v1!]);
    await eventually("both acknowledged", () => drained(services.redis, where.stream, where.group));
    const applied = await appliedOf([v1!]);
    because("expected no dead letter, then versions 1 and 2 applied in order", () => {
      expect(dead).toBe(0);
      expect(applied).toEqual([[1, 2]]);
    });
  });

  it("[R6.3] acknowledges an old or the current version under a new id and changes nothing", async () => {
    const where = newWhere();
    const events = history(2);
    await append(services.redis, where.stream, events);
    await startWorker(learner, where, { consumer: "w", claimIdleMs: 100 });
    await eventually("2 acknowledged", () => drained(services.redis, where.stream, where.group));
    // Below the current version, and at it: neither is applied again.
    const stale = [1, 2].map((version) =>
      orderEvent(random, { aggregateId: events[0]!.aggregateId, version, units: 50 }),
    );
    await append(services.redis, where.stream, stale);
    await eventually("the old versions acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const row = (await fulfilled(services.pg, events)).get(events[0]!.aggregateId);
    because("expected versions 1, 2 and their units only", () =>
      expect(row).toEqual({ version: 2, units: expectedUnits(events).total, applied: [1, 2] }),
    );
  });
});
