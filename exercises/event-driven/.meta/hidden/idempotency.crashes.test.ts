import { because, eventually, startFaultProxy, startLearner } from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals } from "#support/fulfilment";
import { drained, pendingEntries } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere, applications } = useFulfilment();
const recorded = async (events: OrderEvent[]) =>
  Number(
    (
      await services.pg.query(
        "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY($1)",
        [events.map((e) => e.id)],
      )
    ).rows[0].n,
  );
const exactly = (events: OrderEvent[]) => ({
  orders: events.length,
  units: expectedUnits(events).total,
  applications: events.length,
});

describe("idempotency", () => {
  it("[R4.2] changes nothing when an event committed but not acknowledged is claimed after a crash", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    const pg = await startFaultProxy(services.databaseUrl);
    pg.delay(20); // each event takes a while: the test stops Redis between one COMMIT and its XACK
    const doomed = await startLearner();
    await startWorker(
      doomed,
      { ...where, redisUrl: redis.url, databaseUrl: pg.url },
      { consumer: "doomed" },
    );
    const events = firstEvents(random, 10);
    await append(services.redis, where.stream, events);
    /** Events committed minus entries acknowledged, once it has stopped changing. */
    const settledGap = async () => {
      const gap = async () =>
        (await applications(events)) -
        (10 - (await pendingEntries(services.redis, where.stream, where.group)).length);
      let last = await gap();
      for (let probe = 0; probe < 20; probe++) {
        await new Promise((r) => setTimeout(r, 400));
        const now = await gap();
        if (now === last) return now;
        last = now;
      }
      return last;
    };
    // Redis paused: the next XACK hangs, and at most one more event commits before it. Paused just
    // as an XACK had reached Redis but its answer had not come back, nothing is left between COMMIT
    // and XACK: let one more event through and pause again.
    let gap = -1;
    for (let attempt = 0; attempt < 4 && gap !== 1; attempt++) {
      const applied = await applications(events);
      redis.resume();
      await eventually("another event applied", () => applications(events), {
        until: (n) => n > applied,
      });
      redis.pause();
      gap = await settledGap();
    }
    because("expected the worker caught with one event committed and not acknowledged", () =>
      expect(gap).toBe(1),
    );
    await doomed.stop(); // SIGKILL
    await startWorker(learner, where, { consumer: "rescuer" });
    await eventually("all 10 acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, events);
    because(
      `expected the claimed, already committed event not applied again (seed ${random.seed})`,
      () => expect(seen).toEqual(exactly(events)),
    );
  });

  it("[R4.2] applies each of 1000 events exactly once while one of three workers is killed and Redis connections drop", async () => {
    const where = newWhere();
    const redis = await startFaultProxy(services.redisUrl);
    const processes = await Promise.all([startLearner(), startLearner(), startLearner()]);
    await Promise.all(
      processes.map((p, i) =>
        startWorker(p, { ...where, redisUrl: redis.url }, { consumer: `storm-${i}` }),
      ),
    );
    const events = firstEvents(random, 1000);
    await append(services.redis, where.stream, events);
    // Checkpoints that time the faults, not deadlines of the rule: after the drop, three workers
    // reconnect and go on, which took over 5 s on a loaded machine (495 of 500 applied by then).
    const checkpoint = { timeoutMs: 20_000 };
    await eventually("200 events applied", () => applications(events), {
      ...checkpoint,
      until: (n) => n >= 200,
    });
    redis.dropConnections();
    await eventually("500 events applied", () => applications(events), {
      ...checkpoint,
      until: (n) => n >= 500,
    });
    await processes[random.int(0, 2)]!.stop(); // SIGKILL
    await eventually(
      "1000 entries acknowledged",
      () => drained(services.redis, where.stream, where.group),
      {
        timeoutMs: 30_000,
      },
    );
    const seen = await appliedTotals(services.pg, events);
    const rows = await recorded(events);
    because(
      `expected 1000 events applied once each and 1000 ids recorded (seed ${random.seed})`,
      () => {
        expect(seen).toEqual(exactly(events));
        expect(rows).toBe(1000);
      },
    );
  }, 90_000); // its checkpoints may take 70 s on a loaded machine

  it("[R4.2] applies an event once when two workers in two processes hold its two copies at the same time", async () => {
    const where = newWhere();
    const event = firstEvents(random, 1)[0]!;
    await append(services.redis, where.stream, [event, event]);
    const pg = await startFaultProxy(services.databaseUrl);
    pg.pause(); // both workers read a copy, and both wait on Postgres
    const copies = { ...where, databaseUrl: pg.url };
    for (const consumer of ["copy-a", "copy-b"]) {
      await startWorker(await startLearner(), copies, {
        consumer,
        maxInFlight: 1,
        claimIdleMs: 60_000,
      });
      await eventually(
        `${consumer} to hold a copy`,
        async () =>
          (await pendingEntries(services.redis, where.stream, where.group, consumer)).length === 1,
      );
    }
    pg.resume(); // the two transactions run at the same time
    await eventually("both copies acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    const seen = await appliedTotals(services.pg, [event]);
    because(
      `expected the event applied once, ${String(event.payload.units)} units (seed ${random.seed})`,
      () => expect(seen).toEqual(exactly([event])),
    );
  });
});
