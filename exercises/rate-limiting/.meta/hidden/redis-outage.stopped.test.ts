// Stage redis-outage, hidden: Redis stopped (connections refused), then started again.
import {
  PROBLEM_JSON,
  because,
  eventually,
  seededRandom,
  within,
  useLearner,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { burst, get, inTurn } from "#support/client-requests";
import { outageRedis } from "#support/outage-redis";
import { statuses } from "#support/reply-statuses";
import { startApp } from "#support/start-app";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;
const BOUND_MS = 1500; // redisTimeoutMs is 200; the rest is margin for a loaded machine

function policy(): Policy {
  return {
    name: "default",
    algorithm: random.pick(["fixed-window", "sliding-window", "token-bucket"] as const),
    limit: random.int(3, 8),
    windowSeconds: 60,
  };
}

describe("redis-outage: Redis stopped", () => {
  it("[R6.1, R6.2, R6.5] fails closed: 503 problem with Retry-After within the bound, never 500, then recovers by itself", async () => {
    const { server, client } = await outageRedis();
    const chosen = policy();
    const url = await startApp(learner, {
      redis: client(),
      policy: chosen,
      failMode: "closed",
      redisTimeoutMs: 200,
    });
    const key = random.token();
    await eventually(`200 while Redis is up (${chosen.algorithm}) ${seed}`, () => get(url, key), {
      until: (reply) => reply.status === 200,
      timeoutMs: 5000,
    });

    await server.stop();
    const during = await within(
      BOUND_MS * 2,
      "10 concurrent answers while Redis is stopped",
      burst([url], 10, key),
    );
    because(
      `expected only 503s while Redis is stopped and failMode is "closed", saw ${statuses(during).join(", ")} ${seed}`,
      () => expect(statuses(during)).toEqual(Array(10).fill(503)),
    );
    because(
      "expected each 503 to be application/problem+json with Retry-After in whole seconds (≥ 1)",
      () => {
        for (const reply of during) {
          expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
          expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
          expect(reply.headers.get("retry-after")).toMatch(/^\d+$/);
        }
      },
    );
    const single = await within(BOUND_MS, "one answer while Redis is stopped", get(url, key));
    because(`expected 503 again, saw ${single.status}`, () => expect(single.status).toBe(503));

    await server.start();
    // Recovered = counting again (RateLimit headers back). The same client may be refused now:
    // ioredis replays the commands it queued while Redis was away, so a fresh client is checked.
    const back = await eventually(
      "counted answers (with RateLimit headers) after Redis came back, without a restart",
      () => get(url, key),
      {
        until: (reply) => reply.headers.has("ratelimit"),
        timeoutMs: 15_000,
      },
    );
    because(
      `expected counted answers (200 or 429 with RateLimit headers) within 15 s of Redis coming back, without a restart; saw ${back.status}`,
      () => expect([200, 429]).toContain(back.status),
    );
    const fresh = random.token();
    const again = statuses(await inTurn(url, chosen.limit + 1, fresh));
    because(
      `expected the limit (${chosen.limit}) to hold again after recovery: ${chosen.limit} × 200 then 429 for a new client ${seed}`,
      () => expect(again).toEqual([...Array(chosen.limit).fill(200), 429]),
    );
  });

  it("[R6.1, R6.3, R6.4, R6.5] fails open: lets requests through within the bound, reports the error, then limits again", async () => {
    const { server, client } = await outageRedis();
    const chosen = policy();
    const errors: unknown[] = [];
    const url = await startApp(learner, {
      redis: client(),
      policy: chosen,
      failMode: "open",
      redisTimeoutMs: 200,
      onRedisError: (e) => errors.push(e),
    });
    // A counted answer first: the app's Redis client is connected before Redis stops.
    await eventually(`200 while Redis is up (${chosen.algorithm}) ${seed}`, () => get(url), {
      until: (reply) => reply.status === 200,
      timeoutMs: 5000,
    });
    const key = random.token();
    await server.stop();
    const during = await within(
      BOUND_MS * 2,
      "10 concurrent answers while Redis is stopped",
      burst([url], 10, key),
    );
    because(
      `expected only 200s while Redis is stopped and failMode is "open", saw ${statuses(during).join(", ")} ${seed}`,
      () => expect(statuses(during)).toEqual(Array(10).fill(200)),
    );
    // onRedisError is a callback from the app's process: its calls may land just after the answers.
    await eventually("onRedisError to be told about the failures", () => errors.length, {
      timeoutMs: 2000,
    });

    await server.start();
    await eventually(
      `the limit to hold again after Redis came back (a 429) ${seed}`,
      () => get(url, key),
      {
        until: (reply) => reply.status === 429,
        timeoutMs: 15_000,
      },
    );
  });
});
