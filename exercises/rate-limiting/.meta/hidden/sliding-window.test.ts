// Stage sliding-window, hidden. Holds for a sliding log and for a sliding-window counter alike.
// Requests go one after another: exact counts under concurrency are stage many-instances.
import {
  because,
  seededRandom,
  useServices,
  useLearner,
  redisClient,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { get, inTurn } from "#support/client-requests";
import { badExpiries } from "#support/key-expiries";
import { rateLimitFields } from "#support/rate-limit-fields";
import { countStatus, statuses } from "#support/reply-statuses";
import { retryAfter } from "#support/retry-after";
import { startAppOnClock } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function setup(limit = random.int(5, 20), windowSeconds = random.int(10, 60)) {
  const policy: Policy = { name: "default", algorithm: "sliding-window", limit, windowSeconds };
  const { clock, url } = await startAppOnClock(learner, windowStart(random, windowSeconds), {
    redis: redisClient(services.redisUrl),
    policy,
  });
  return { policy, clock, url, key: random.token() };
}

describe("sliding-window", () => {
  beforeEach(() => services.redis.flushdb());

  it("[R3.1] lets at most one request of a second full burst through just after a fixed window's boundary", async () => {
    const { policy, clock, url, key } = await setup();
    const margin = Math.floor(policy.windowSeconds * 1000 * 0.005); // 0.5% of the window
    clock.advance(policy.windowSeconds * 1000 - margin);
    const first = await inTurn(url, policy.limit, key);
    clock.advance(2 * margin);
    const second = await inTurn(url, policy.limit, key);
    because(`expected all ${policy.limit} of the first burst to pass ${seed}`, () =>
      expect(countStatus(first, 200)).toBe(policy.limit),
    );
    because(
      `expected at most 1 of a second burst of ${policy.limit}, ${2 * margin} ms later, to pass; ${countStatus(second, 200)} passed ${seed}`,
      () => expect(countStatus(second, 200)).toBeLessThanOrEqual(1),
    );
  });

  it("[R3.2] counts requests made at the same millisecond one by one", async () => {
    const { policy, url, key } = await setup();
    const replies = await inTurn(url, 3 * policy.limit, key); // the clock stands still
    because(
      `expected exactly ${policy.limit} of ${3 * policy.limit} same-millisecond requests to pass, ${countStatus(replies, 200)} passed ${seed}`,
      () => expect(countStatus(replies, 200)).toBe(policy.limit),
    );
  });

  it("[R3.4, R1.3, R2.2, R2.3] refuses with r=0, t equal to Retry-After, and lets the client back after Retry-After", async () => {
    const { policy, clock, url, key } = await setup();
    for (let i = 0; i < policy.limit; i++) {
      clock.advance(random.int(0, 500));
      await get(url, key);
    }
    const refused = await get(url, key);
    const wait = retryAfter(refused);
    const { r, t } = rateLimitFields(refused)?.limit ?? {};
    because(
      `expected 429 with whole-second Retry-After between 1 and ${policy.windowSeconds}, saw ${refused.status} and ${refused.headers.get("retry-after")} ${seed}`,
      () => {
        expect(refused.status).toBe(429);
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(policy.windowSeconds);
      },
    );
    because(`expected RateLimit r=0;t=${wait} on the 429, saw r=${r};t=${t} ${seed}`, () =>
      expect({ r, t }).toEqual({ r: 0, t: wait }),
    );
    clock.advance(wait! * 1000);
    const retried = await get(url, key);
    because(`expected a retry after Retry-After (${wait} s) to pass ${seed}`, () =>
      expect(retried.status).toBe(200),
    );
  });

  it("[R3.3] never throttles a client that keeps well under the limit", async () => {
    const { policy, clock, url, key } = await setup();
    const gap = Math.ceil((policy.windowSeconds * 1000 * 1.5) / policy.limit);
    const seen: number[] = [];
    for (let i = 0; i < 2 * policy.limit; i++) {
      seen.push((await get(url, key)).status);
      clock.advance(gap);
    }
    because(
      `expected only 200s for one request every ${gap} ms under ${policy.limit} per ${policy.windowSeconds} s ${seed}`,
      () => expect(seen).toEqual(Array(seen.length).fill(200)),
    );
  });

  it("[R3.3, R1.6] gives the whole quota back after two quiet windows, and its keys expire", async () => {
    const { policy, clock, url, key } = await setup();
    await inTurn(url, policy.limit + 2, key);
    const bad = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
    because(
      `expected every key to expire within two windows (${2 * policy.windowSeconds} s); these do not: ${bad.join(", ")} ${seed}`,
      () => expect(bad).toEqual([]),
    );
    clock.advance(2 * policy.windowSeconds * 1000 + 1);
    const again = await inTurn(url, policy.limit + 1, key);
    because(`expected ${policy.limit} × 200 then 429 after two quiet windows ${seed}`, () =>
      expect(statuses(again)).toEqual([...Array(policy.limit).fill(200), 429]),
    );
  });
});
