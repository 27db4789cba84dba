import {
  because,
  eventually,
  redisClient,
  startFaultProxy,
  within,
} from "@backend-sandbox/testkit";
import type * as Lag from "#src/lag";
import { append, firstEvents } from "#support/events";
import { drained, groupInfo, pendingEntries, readAsGhost } from "#support/stream-facts";
import { startWorker } from "#support/workers";
import { useFulfilment } from "#support/use-fulfilment";

const { services, learner, random, newWhere, applications } = useFulfilment();
const held = async (where: { stream: string; group: string }, consumer: string) =>
  (await pendingEntries(services.redis, where.stream, where.group, consumer)).length;

describe("backpressure-and-shutdown", () => {
  it("[R7.1] holds at most maxInFlight entries while Postgres hangs, then applies them all", async () => {
    const where = newWhere();
    const pg = await startFaultProxy(services.databaseUrl);
    const maxInFlight = random.int(3, 6);
    const events = firstEvents(random, 60);
    await append(services.redis, where.stream, events); // all there for its first read
    pg.pause();
    await startWorker(learner, { ...where, databaseUrl: pg.url }, { consumer: "w", maxInFlight });
    await eventually("the worker to hold entries", () => held(where, "w"), { until: (n) => n > 0 });
    await new Promise((r) => setTimeout(r, 300)); // time to read more, were it to
    const holding = await held(where, "w");
    const delivered = (await groupInfo(services.redis, where.stream, where.group))!.entriesRead;
    pg.resume();
    because(
      `expected at most ${maxInFlight} entries held and delivered; held ${holding}, delivered ${delivered}`,
      () => {
        expect(holding).toBeLessThanOrEqual(maxInFlight);
        expect(delivered).toBeLessThanOrEqual(maxInFlight);
      },
    );
    await eventually("all 60 acknowledged", () =>
      drained(services.redis, where.stream, where.group),
    );
    expect(await applications(events)).toBe(60);
  });

  it("[R7.1] holds at most 10 entries when maxInFlight is left out, claims included", async () => {
    const where = newWhere();
    await append(services.redis, where.stream, firstEvents(random, 40));
    await readAsGhost(services.redis, where.stream, where.group, 25); // 25 to claim at once
    const pg = await startFaultProxy(services.databaseUrl);
    pg.pause();
    await startWorker(
      learner,
      { ...where, databaseUrl: pg.url },
      { consumer: "w", claimIdleMs: 100 },
    );
    await eventually("the worker to claim entries", () => held(where, "w"), {
      until: (n) => n > 0,
    });
    await new Promise((r) => setTimeout(r, 300));
    const holding = await held(where, "w");
    pg.resume();
    because(`expected at most 10 entries held; held ${holding}`, () =>
      expect(holding).toBeLessThanOrEqual(10),
    );
  });

  it("[R7.2] reports the named group's pending entries and lag as XINFO GROUPS counts them", async () => {
    const where = newWhere();
    const n = random.int(20, 40);
    await append(services.redis, where.stream, firstEvents(random, n));
    const read = await readAsGhost(services.redis, where.stream, where.group, 10);
    await services.redis.xack(where.stream, where.group, ...read.slice(0, 4));
    // Other groups on the stream, listed before and after it: the report is the named group's.
    for (const other of [`0${where.group}`, `~${where.group}`])
      await services.redis.xgroup("CREATE", where.stream, other, "$");
    const { groupLag } = learner.module<typeof Lag>("lag");
    const report = await groupLag(redisClient(services.redisUrl), where.stream, where.group);
    because(
      `expected the group's 6 pending and ${n - 10} not yet delivered (seed ${random.seed})`,
      () => expect(report).toEqual({ pending: 6, lag: n - 10 }),
    );
  });

  it("[R7.2] reports lag null when XINFO GROUPS has none: a group created in the middle of the stream", async () => {
    const where = newWhere();
    const ids = await append(services.redis, where.stream, firstEvents(random, random.int(4, 9)));
    await services.redis.xgroup("CREATE", where.stream, where.group, ids[2]!);
    const { groupLag } = learner.module<typeof Lag>("lag");
    const report = await groupLag(redisClient(services.redisUrl), where.stream, where.group);
    because(
      `expected no pending entry and lag null (Redis cannot tell); got ${JSON.stringify(report)}`,
      () => expect(report).toEqual({ pending: 0, lag: null }),
    );
  });

  it("[R7.3] stop() reads nothing more, finishes what it holds, acknowledges it, then resolves", async () => {
    const where = newWhere();
    const pg = await startFaultProxy(services.databaseUrl);
    const events = firstEvents(random, 50);
    await append(services.redis, where.stream, events); // all there for its first read
    pg.pause();
    const worker = await startWorker(learner, { ...where, databaseUrl: pg.url }, { consumer: "w" });
    const holding = await eventually("the worker to hold entries", () => held(where, "w"), {
      until: (n) => n > 0,
    });
    const stopped = worker.stop();
    setTimeout(() => pg.resume(), 200);
    await within(5000, "stop() to resolve once Postgres is back", stopped);
    const info = (await groupInfo(services.redis, where.stream, where.group))!;
    const applied = await applications(events);
    because(
      `expected the ${holding} held entries applied and acknowledged, and no more read`,
      () => {
        expect(info.pending).toBe(0);
        expect(info.entriesRead).toBe(holding);
        expect(applied).toBe(holding);
      },
    );
  });
});
