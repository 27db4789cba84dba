import { because, eventually, startFaultProxy, startLearner } from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";
import { append, expectedUnits, orderEvent } from "#support/events";
import { appliedTotals, fulfilled } from "#support/fulfilment";
import { drained, pendingEntries } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere } = useFulfilment();
/** Versions 1..n of one new order. */
const history = (n: number): OrderEvent[] => {
  const aggregateId = `ord_${random.token(10)}`;
  return Array.from({ length: n }, (_, i) => orderEvent(random, { aggregateId, version: i + 1 }));
};
const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};
const appliedOf = async (events: OrderEvent[]) =>
  [...(await fulfilled(services.pg, events)).values()].map((row) => row.applied);

describe("ordering", () => {
  it("[R6.1, R4.2] applies 12 orders of 12 versions each in order, shuffled and duplicated, over three processes", async () => {
    const where = newWhere();
    const orders = Array.from({ length: 12 }, () => history(12));
    const events = orders.flat();
    await append(
      services.redis,
      where.stream,
      shuffled([...events, ...events.filter(() => random.next() < 0.3)]),
    );
    const processes = await Promise.all([startLearner(), startLearner(), startLearner()]);
    await Promise.all(
      processes.map((p, i) => startWorker(p, where, { consumer: `o-${i}`, claimIdleMs: 50 })),
    );
    // Some 2000 tries of an early version (each a transaction rolled back) before the last one is
    // applied: 3 to 9 s here, 25 s in a loaded CI run. The limit only has to catch a hang.
    await eventually(
      "every entry acknowledged",
      () => drained(services.redis, where.stream, where.group),
      { timeoutMs: 80_000 },
    );
    const applied = await appliedOf(events);
    const totals = await appliedTotals(services.pg, events);
    const inOrder = Array.from({ length: 12 }, (_, i) => i + 1);
    because(`expected every order's versions applied once, as 1..12 (seed ${random.seed})`, () => {
      expect(applied).toEqual(orders.map(() => inOrder));
      expect(totals.units).toBe(expectedUnits(events).total);
    });
  }, 90_000);

  it("[R6.1, R3.3] loses no version and breaks no order when the worker holding them is killed (SIGKILL)", async () => {
    const where = newWhere();
    const orders = [history(6), history(6)];
    const events = orders.flat();
    await append(services.redis, where.stream, shuffled(events));
    const pg = await startFaultProxy(services.databaseUrl);
    pg.pause();
    const doomed = await startLearner();
    await startWorker(doomed, { ...where, databaseUrl: pg.url }, { consumer: "doomed" });
    await eventually(
      "the doomed worker to hold entries",
      async () =>
        (await pendingEntries(services.redis, where.stream, where.group, "doomed")).length > 0,
    );
    await doomed.stop(); // SIGKILL
    await startWorker(learner, where, { consumer: "heir", claimIdleMs: 100 });
    await eventually(
      "every entry acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 15_000,
      },
    );
    const applied = await appliedOf(events);
    because(`expected both orders applied as 1..6 (seed ${random.seed})`, () =>
      expect(applied).toEqual([
        [1, 2, 3, 4, 5, 6],
        [1, 2, 3, 4, 5, 6],
      ]),
    );
  });
});
