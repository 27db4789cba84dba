// Stage redis-outage, hidden: failMode, redisTimeoutMs and onRedisError left out, so their documented
// defaults must apply: fail closed, wait 200 ms for Redis, report to console.error.
import {
  PROBLEM_JSON,
  because,
  eventually,
  seededRandom,
  timed,
  within,
  useLearner,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { get } from "#support/client-requests";
import { countingAgain } from "#support/counting-again";
import { outageRedis } from "#support/outage-redis";
import { retryAfter } from "#support/retry-after";
import { startAppAsGiven } from "#support/start-app";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;
const DEFAULT_TIMEOUT_MS = 200;
const BOUND_MS = 1500; // the default 200 ms, and margin for a loaded machine

describe("redis-outage: defaults", () => {
  it("[R6.1, R6.2, R6.4, R6.5] with failMode, redisTimeoutMs and onRedisError left out: a 503 problem after 200 ms, not sooner and within 1.5 s, told to console.error", async () => {
    const { server, client } = await outageRedis();
    const algorithm = random.pick(["fixed-window", "sliding-window", "token-bucket"] as const);
    const policy: Policy = { name: "default", algorithm, limit: 100, windowSeconds: 60 };
    const url = await startAppAsGiven(learner, { redis: client(), policy });
    const key = random.token();
    await eventually(`200 while Redis is up (${algorithm}) ${seed}`, () => get(url, key), {
      until: (reply) => reply.status === 200,
      timeoutMs: 5000,
    });
    // console.error in the app's process writes to its stderr, which the testkit records.
    const app = await learner.process();
    const reportedBefore = app.output.length;

    await server.pause();
    try {
      const { value: during, ms } = await timed(() =>
        within(BOUND_MS * 2, "an answer while Redis is frozen", get(url, key)),
      );
      because(
        `expected 503 with failMode left out (the default is "closed"), saw ${during.status} ${seed}`,
        () => expect(during.status).toBe(503),
      );
      because(
        `expected a 503 problem (temporary-reduced-capacity) with Retry-After ≥ 1, saw ${during.headers.get("content-type")} ${JSON.stringify(during.body)} Retry-After ${during.headers.get("retry-after")}`,
        () => {
          expect(during.headers.get("content-type")).toMatch(PROBLEM_JSON);
          expect(during.body).toMatchObject({
            type: "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity",
            status: 503,
          });
          expect(retryAfter(during)).toBeGreaterThanOrEqual(1);
        },
      );
      because(
        `expected the answer ${DEFAULT_TIMEOUT_MS} ms (the default redisTimeoutMs) to ${BOUND_MS} ms after the request, not sooner or later; it took ${Math.round(ms)} ms`,
        () => {
          expect(ms).toBeGreaterThanOrEqual(DEFAULT_TIMEOUT_MS - 10); // timers may fire a millisecond early
          expect(ms).toBeLessThan(BOUND_MS);
        },
      );
      await eventually(
        `the failure told to console.error (the default onRedisError): output of the app's process after the 503 ${seed}`,
        () => app.output.length > reportedBefore,
        { timeoutMs: 2000 },
      );
    } finally {
      await server.resume();
    }

    await countingAgain(url, random);
  });
});
