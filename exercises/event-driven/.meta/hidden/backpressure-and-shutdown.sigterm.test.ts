import {
  because,
  eventually,
  startFaultProxy,
  startLearner,
  within,
} from "@backend-sandbox/testkit";
import type * as Main from "#src/main";
import { append, expectedUnits, firstEvents } from "#support/events";
import { appliedTotals } from "#support/fulfilment";
import { drained, groupInfo, pendingEntries } from "#support/stream-facts";
import { startWorker, workerOptions, type WorkerSettings } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere, applications } = useFulfilment();
const held = async (where: { stream: string; group: string }, consumer: string) =>
  (await pendingEntries(services.redis, where.stream, where.group, consumer)).length;

/** A worker in a process of its own, through a Postgres proxy, started with runWorker (main.ts). */
async function runWorker(
  where: ReturnType<typeof newWhere>,
  settings: WorkerSettings & { shutdownMs?: number },
) {
  const pg = await startFaultProxy(services.databaseUrl);
  const process = await startLearner();
  await process
    .module<typeof Main>("main")
    .runWorker(workerOptions({ ...where, databaseUrl: pg.url }, settings));
  return { pg, process };
}

describe("backpressure-and-shutdown", () => {
  it("[R7.4] on SIGTERM during a burst, acknowledges what it holds and exits with code 0", async () => {
    const where = newWhere();
    const { pg, process } = await runWorker(where, { consumer: "leaving", maxInFlight: 8 });
    const events = firstEvents(random, 400);
    await append(services.redis, where.stream, events);
    await eventually("50 events applied", () => applications(events), { until: (n) => n >= 50 });
    // The worker is caught holding a batch: two entries or more, so that besides the one in its
    // transaction at least one waits its turn, which a worker that stops mid-batch would leave
    // pending. Caught on a batch's last entry (held 1), it is let go and caught again.
    for (let attempt = 1; ; attempt++) {
      const before = await applications(events);
      pg.pause();
      const holding = await eventually("the worker to hold entries", () => held(where, "leaving"), {
        until: (n) => n > 0,
      });
      if (holding >= 2 || attempt === 10) break;
      pg.resume();
      await eventually("more events applied", () => applications(events), {
        until: (n) => n > before + 1,
      });
    }
    await process.signal("SIGTERM");
    setTimeout(() => pg.resume(), 200);
    const exit = await within(5000, "the process to exit after SIGTERM", process.exited());
    const info = (await groupInfo(services.redis, where.stream, where.group))!;
    const applied = await applications(events);
    because(`expected exit code 0, nothing left pending, and every entry delivered applied`, () => {
      expect(exit).toEqual({ code: 0, signal: null });
      expect(info.pending).toBe(0);
      expect(applied).toBe(info.entriesRead);
    });
    await startWorker(learner, where, { consumer: "successor" });
    // About 350 events left, one transaction each: seconds on a loaded machine (a CI run with
    // every package's tests beside verify took over 5 s), and the rule is about the SIGTERM.
    await eventually(
      "the rest applied by a successor",
      () => drained(services.redis, where.stream, where.group),
      { timeoutMs: 20_000 },
    );
    const totals = await appliedTotals(services.pg, events);
    because(`expected all 400 applied once (seed ${random.seed})`, () =>
      expect(totals).toEqual({
        orders: 400,
        units: expectedUnits(events).total,
        applications: 400,
      }),
    );
  });

  it("[R7.5, R3.3] exits with code 1 at shutdownMs when it cannot finish, and loses nothing", async () => {
    const where = newWhere();
    const { pg, process } = await runWorker(where, {
      consumer: "stuck",
      shutdownMs: 300,
      maxInFlight: 5,
    });
    pg.pause(); // for good
    const events = firstEvents(random, 20);
    await append(services.redis, where.stream, events);
    await eventually("the worker to hold entries", () => held(where, "stuck"), {
      until: (n) => n > 0,
    });
    await process.signal("SIGTERM");
    const exit = await within(
      3000,
      "the process to exit within shutdownMs of SIGTERM",
      process.exited(),
    );
    because("expected exit code 1: stopped by the deadline", () =>
      expect(exit).toEqual({ code: 1, signal: null }),
    );
    await startWorker(learner, where, { consumer: "successor" });
    await eventually("everything applied by a successor", () =>
      drained(services.redis, where.stream, where.group),
    );
    expect(await applications(events)).toBe(20);
  });

  it("[R7.5] waits more than a second and a half for held entries when shutdownMs is left out", async () => {
    const where = newWhere();
    const { pg, process } = await runWorker(where, { consumer: "patient", maxInFlight: 5 });
    pg.pause();
    const events = firstEvents(random, 10);
    await append(services.redis, where.stream, events);
    await eventually("the worker to hold entries", () => held(where, "patient"), {
      until: (n) => n > 0,
    });
    await process.signal("SIGTERM");
    setTimeout(() => pg.resume(), 1500);
    const exit = await within(8000, "the process to exit once Postgres is back", process.exited());
    const info = (await groupInfo(services.redis, where.stream, where.group))!;
    because("expected exit code 0 after finishing, nothing left pending", () => {
      expect(exit).toEqual({ code: 0, signal: null });
      expect(info.pending).toBe(0);
    });
  });
});
