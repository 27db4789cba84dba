// Stage tiers, hidden: plans per key from Postgres, cached in memory; unknown keys get 401.
import {
  PROBLEM_JSON,
  because,
  pgPool,
  redisClient,
  seededRandom,
  startFaultProxy,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { burst, get, inTurn } from "#support/client-requests";
import { addKey, addPlan, createPlansTables } from "#support/plans-tables";
import { rateLimitFields } from "#support/rate-limit-fields";
import { retryAfter } from "#support/retry-after";
import { countStatus, statuses } from "#support/reply-statuses";
import { startAppOnClock } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const CACHE_MS = 30_000;

/**
 * Plans, keys and one app; `planCacheMs` is left out of the app's options when not given, and
 * `planCacheEntries` unless given.
 */
async function setup(planCacheMs?: number, planCacheEntries?: number) {
  await services.redis.flushdb();
  await createPlansTables(services.pg);
  const free = { name: `free-${random.token(4)}`, limit: random.int(2, 5) };
  const pro = { name: `pro-${random.token(4)}`, limit: random.int(8, 15) };
  await addPlan(
    services.pg,
    free.name,
    random.pick(["fixed-window", "sliding-window"] as const),
    free.limit,
    60,
  );
  await addPlan(services.pg, pro.name, "token-bucket", pro.limit, 60);
  const keys = { free: random.token(), pro: random.token(), free2: random.token() };
  await addKey(services.pg, keys.free, free.name);
  await addKey(services.pg, keys.free2, free.name);
  await addKey(services.pg, keys.pro, pro.name);
  const start = windowStart(random, 60);
  // The app reaches Postgres through a proxy that counts its queries and connections.
  const postgres = await startFaultProxy(services.databaseUrl);
  const anonymous: Policy = {
    name: "anonymous",
    algorithm: "fixed-window",
    limit: random.int(2, 4),
    windowSeconds: 60,
  };
  const options = {
    redis: redisClient(services.redisUrl),
    pg: pgPool({ connectionString: postgres.url, max: 10 }),
    policy: anonymous,
    ...(planCacheEntries === undefined ? {} : { planCacheEntries }),
  };
  const { clock, url } = await startAppOnClock(
    learner,
    start,
    planCacheMs === undefined ? options : { ...options, planCacheMs },
  );
  return {
    free,
    pro,
    keys,
    clock,
    url,
    anonymous,
    postgres,
    roundTrips: () => postgres.queries() + postgres.connections(),
  };
}

describe("tiers", () => {
  it("[R7.1] limits each key by its plan, names the plan in the headers, and keeps keys of one plan apart", async () => {
    const { free, pro, keys, url } = await setup(CACHE_MS);
    const freeReplies = await inTurn(url, free.limit + 1, keys.free);
    const proReplies = await inTurn(url, pro.limit + 1, keys.pro);
    const free2 = await get(url, keys.free2);
    because(
      `expected the free plan (${free.limit}) then the pro plan (${pro.limit}) to end each run with one 429 ${seed}`,
      () => {
        expect(statuses(freeReplies)).toEqual([...Array(free.limit).fill(200), 429]);
        expect(statuses(proReplies)).toEqual([...Array(pro.limit).fill(200), 429]);
      },
    );
    because(
      `expected RateLimit-Policy to name the key's plan ("${pro.name}";q=${pro.limit};w=60) ${seed}`,
      () =>
        expect(rateLimitFields(proReplies[0]!)?.policy).toEqual({
          name: pro.name,
          q: pro.limit,
          w: 60,
        }),
    );
    because(`expected a second key on the free plan to have its own budget ${seed}`, () =>
      expect(free2.status).toBe(200),
    );
  });

  it("[R7.2, R1.5] refuses unknown keys with a 401 problem, and never lets a key that looks like SQL through", async () => {
    const { url } = await setup(CACHE_MS);
    const unknown = await get(url, random.token());
    because(
      `expected 401 application/problem+json for an unknown key, saw ${unknown.status} ${unknown.headers.get("content-type")}`,
      () => {
        expect(unknown.status).toBe(401);
        expect(unknown.headers.get("content-type")).toMatch(PROBLEM_JSON);
      },
    );
    for (const hostile of ["' OR '1'='1", "x'; DROP TABLE api_keys; --", "%", "_"]) {
      const reply = await get(url, hostile);
      because(
        `expected 400 or 401 for X-API-Key ${JSON.stringify(hostile)}, saw ${reply.status}`,
        () => expect([400, 401]).toContain(reply.status),
      );
    }
    const { rows } = await services.pg.query("SELECT count(*)::int AS n FROM api_keys");
    because("expected the api_keys table to be intact", () => expect(rows[0].n).toBe(3));
  });

  it("[R7.4] costs no Postgres round trip per request once a key's plan is known", async () => {
    const { keys, url, roundTrips } = await setup(CACHE_MS);
    const start = roundTrips();
    for (const key of [keys.free, keys.pro, keys.free2]) await get(url, key);
    const warm = roundTrips();
    because(
      `expected the first request of each of three keys to read its plan from Postgres, saw ${warm - start} round trips`,
      () => expect(warm - start).toBeGreaterThan(0),
    );
    const replies = [
      ...(await burst([url], 20, keys.free)),
      ...(await burst([url], 20, keys.pro)),
      ...(await inTurn(url, 10, keys.free2)),
    ];
    because(
      `expected no Postgres round trip for 50 more requests of known keys, saw ${roundTrips() - warm} ${seed}`,
      () => expect(roundTrips() - warm).toBe(0),
    );
    because("expected those requests to be answered (200 or 429)", () =>
      expect(countStatus(replies, 200) + countStatus(replies, 429)).toBe(replies.length),
    );
  });

  it("[R7.4] takes a changed plan into account once planCacheMs has passed", async () => {
    const { free, pro, keys, clock, url } = await setup(CACHE_MS);
    await get(url, keys.free);
    await services.pg.query("UPDATE api_keys SET plan = $1 WHERE api_key = $2", [
      pro.name,
      keys.free,
    ]);
    clock.advance(CACHE_MS + 1);
    const reply = await get(url, keys.free);
    because(
      `expected the key moved from "${free.name}" to "${pro.name}" to get the pro plan after planCacheMs (${CACHE_MS} ms) ${seed}`,
      () => expect(rateLimitFields(reply)?.policy.name).toBe(pro.name),
    );
  });

  it("[R7.3] limits requests without a key by IP with the default policy", async () => {
    const { url, anonymous } = await setup(CACHE_MS);
    const replies = await inTurn(url, anonymous.limit + 1);
    because(
      `expected ${anonymous.limit} × 200 then 429 under the "anonymous" policy for key-less requests ${seed}`,
      () => {
        expect(statuses(replies)).toEqual([...Array(anonymous.limit).fill(200), 429]);
        expect(rateLimitFields(replies[0]!)?.policy.name).toBe("anonymous");
      },
    );
  });

  it("[R7.4] with planCacheMs left out, serves a key's plan from memory for 60 000 ms on the clock, then reads it again", async () => {
    const { free, pro, keys, clock, url, roundTrips } = await setup();
    await get(url, keys.free);
    await services.pg.query("UPDATE api_keys SET plan = $1 WHERE api_key = $2", [
      pro.name,
      keys.free,
    ]);
    const read = roundTrips();
    clock.advance(59_999);
    const cached = await get(url, keys.free);
    because(
      `expected the cached plan "${free.name}" and no Postgres round trip 59 999 ms after the read (planCacheMs defaults to 60 000), saw "${rateLimitFields(cached)?.policy.name}" and ${roundTrips() - read} round trips ${seed}`,
      () =>
        expect({
          plan: rateLimitFields(cached)?.policy.name,
          roundTrips: roundTrips() - read,
        }).toEqual({ plan: free.name, roundTrips: 0 }),
    );
    clock.advance(1);
    const reread = await get(url, keys.free);
    because(
      `expected the changed plan "${pro.name}" 60 000 ms after the read (planCacheMs defaults to 60 000: the cached plan is stale once its age reaches it), saw "${rateLimitFields(reread)?.policy.name}" ${seed}`,
      () => expect(rateLimitFields(reread)?.policy.name).toBe(pro.name),
    );
  });

  it("[R7.5] answers 503 while Postgres refuses a key's plan lookup, and reads the plan again once it is back", async () => {
    const { free, keys, url, postgres } = await setup(CACHE_MS);
    postgres.refuseConnections();
    const refused = await get(url, keys.free);
    postgres.acceptConnections();
    because(
      `expected a 503 problem (temporary-reduced-capacity, as under R6.2) with Retry-After in whole seconds, at least 1, while Postgres refused connections, saw ${refused.status} ${refused.headers.get("content-type")} ${JSON.stringify(refused.body)} Retry-After ${refused.headers.get("retry-after")}`,
      () => {
        expect(refused.status).toBe(503);
        expect(refused.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(refused.body).toMatchObject({
          type: "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity",
          status: 503,
        });
        expect(retryAfter(refused)).toBeGreaterThanOrEqual(1);
      },
    );
    const after = await get(url, keys.free);
    because(
      `expected the key's plan "${free.name}" read again once Postgres accepted connections (a failed lookup is not remembered), saw ${after.status} "${rateLimitFields(after)?.policy.name}" ${seed}`,
      () =>
        expect({ status: after.status, plan: rateLimitFields(after)?.policy.name }).toEqual({
          status: 200,
          plan: free.name,
        }),
    );
  });

  it("[R7.6] holds at most planCacheEntries plans, and drops the one read longest ago first", async () => {
    const { keys, clock, url, roundTrips } = await setup(CACHE_MS, 3);
    const readsOf = async (key: string) => {
      const before = roundTrips();
      await get(url, key);
      return roundTrips() - before;
    };
    for (const key of [keys.free, keys.pro, keys.free2]) await get(url, key);
    const again = [await readsOf(keys.free), await readsOf(keys.pro), await readsOf(keys.free2)];
    because(
      `expected three keys' plans all served from memory with planCacheEntries 3, saw ${again.join(", ")} Postgres round trips ${seed}`,
      () => expect(again).toEqual([0, 0, 0]),
    );
    // Every plan stale: reading pro, free2, then free again puts them in that order, the newest
    // last; one more key (unknown, and held too) then drops pro.
    clock.advance(CACHE_MS);
    for (const key of [keys.pro, keys.free2, keys.free, random.token()]) await get(url, key);
    const [free, pro] = [await readsOf(keys.free), await readsOf(keys.pro)];
    because(
      `expected the plan read last (free) still in memory and the one read longest ago (pro) read again from Postgres after a fourth key, saw ${free} and ${pro} round trips ${seed}`,
      () => expect({ free, pro: pro > 0 }).toEqual({ free: 0, pro: true }),
    );
  });
});
