// Stage token-bucket, hidden: capacity `limit`, continuous refill of limit/windowSeconds tokens per second.
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

async function setup(limit: number, windowSeconds: number) {
  const policy: Policy = { name: "default", algorithm: "token-bucket", limit, windowSeconds };
  const { clock, url } = await startAppOnClock(
    learner,
    windowStart(random, 3600) + random.int(0, 3_599_999),
    { redis: redisClient(services.redisUrl), policy },
  );
  return { clock, url, key: random.token() };
}

describe("token-bucket", () => {
  beforeEach(() => services.redis.flushdb());

  it("[R4.1, R1.6] starts full: lets a burst of exactly `limit` through, then refuses; its keys expire", async () => {
    const limit = random.int(5, 30);
    const windowSeconds = random.int(10, 100);
    const { url, key } = await setup(limit, windowSeconds);
    const replies = await inTurn(url, limit + 10, key);
    because(
      `expected exactly ${limit} of ${limit + 10} requests at one instant to pass, ${countStatus(replies, 200)} passed ${seed}`,
      () => expect(countStatus(replies, 200)).toBe(limit),
    );
    const bad = await badExpiries(services.redis, 2 * windowSeconds * 1000);
    because(
      `expected every key to expire within two windows (${2 * windowSeconds} s); these do not: ${bad.join(", ")} ${seed}`,
      () => expect(bad).toEqual([]),
    );
  });

  it("[R4.1, R4.3] follows redis-cell's GCRA vector (capacity 5, 1 token per second)", async () => {
    const { clock, url, key } = await setup(5, 5);
    const replies = await inTurn(url, 6, key);
    const remaining = replies.map((reply) => rateLimitFields(reply)?.limit.r);
    because("expected 5 × 200 with r=4,3,2,1,0, then 429 with r=0 and Retry-After: 1", () => {
      expect(statuses(replies)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(remaining).toEqual([4, 3, 2, 1, 0, 0]);
      expect(retryAfter(replies[5]!)).toBe(1);
    });
    clock.advance(3000);
    const later = await get(url, key);
    because(
      `expected 200 with r=2 three seconds later (3 tokens back, 1 spent), saw ${later.status} r=${rateLimitFields(later)?.limit.r}`,
      () => {
        expect(later.status).toBe(200);
        expect(rateLimitFields(later)?.limit.r).toBe(2);
      },
    );
  });

  it("[R4.2] keeps fractions of a token between requests (5 tokens per 2 s: one per 400 ms)", async () => {
    const { clock, url, key } = await setup(5, 2);
    await inTurn(url, 5, key);
    // Tokens in the bucket at each step, before the request: 0.75, 1.625, 1.5, 0.875, 1.125, 0.125.
    const steps = [300, 350, 350, 150, 100, 0];
    const expected = [429, 200, 200, 429, 200, 429];
    const seen: number[] = [];
    for (const step of steps) {
      clock.advance(step);
      seen.push((await get(url, key)).status);
    }
    because(
      `expected ${expected.join(", ")} at +300, +650, +1000, +1150, +1250, +1250 ms after emptying the bucket`,
      () => expect(seen).toEqual(expected),
    );
  });

  it("[R4.3, R1.3] answers a refused request with the whole seconds, rounded up, until the next token; on time it passes", async () => {
    const limit = random.int(2, 6);
    const windowSeconds = limit * random.int(3, 9); // one token every 3 to 9 s
    const { clock, url, key } = await setup(limit, windowSeconds);
    await inTurn(url, limit, key);
    const waited = random.int(100, 2900);
    clock.advance(waited);
    const refused = await get(url, key);
    const perToken = (windowSeconds / limit) * 1000;
    const expected = Math.ceil((perToken - waited) / 1000);
    because(
      `expected Retry-After: ${expected} with a token every ${perToken} ms, ${waited} ms after emptying; saw ${refused.headers.get("retry-after")} ${seed}`,
      () => expect(retryAfter(refused)).toBe(expected),
    );
    because(`expected t to equal Retry-After on the 429 ${seed}`, () =>
      expect(rateLimitFields(refused)?.limit.t).toBe(expected),
    );
    clock.advance((expected - 1) * 1000);
    const early = await get(url, key);
    clock.advance(1000);
    const onTime = await get(url, key);
    because(`expected 429 a second before Retry-After and 200 on time ${seed}`, () =>
      expect([early.status, onTime.status]).toEqual([429, 200]),
    );
  });

  it("[R4.1] never holds more than `limit` tokens, however long the client was quiet", async () => {
    const limit = random.int(3, 10);
    const { clock, url, key } = await setup(limit, 10);
    await inTurn(url, limit, key);
    clock.advance(100 * 10_000);
    const replies = await inTurn(url, limit + 5, key);
    because(
      `expected exactly ${limit} to pass after a long quiet spell, ${countStatus(replies, 200)} passed ${seed}`,
      () => expect(countStatus(replies, 200)).toBe(limit),
    );
  });

  it("[R4.3, R2.2] publishes capacity and window in RateLimit-Policy", async () => {
    const limit = random.int(3, 10);
    const windowSeconds = random.int(5, 60);
    const { url, key } = await setup(limit, windowSeconds);
    const reply = await get(url, key);
    because(
      `expected RateLimit-Policy q=${limit};w=${windowSeconds} and r=${limit - 1} ${seed}`,
      () =>
        expect(rateLimitFields(reply)).toMatchObject({
          policy: { q: limit, w: windowSeconds },
          limit: { r: limit - 1 },
        }),
    );
  });
});
