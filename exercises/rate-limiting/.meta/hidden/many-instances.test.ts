// Stage many-instances, hidden: three instances, three clients, one Redis; exact counts for every algorithm.
import {
  because,
  manualClock,
  redisClient,
  seededRandom,
  startFaultProxy,
  useServices,
} from "@backend-sandbox/testkit";
import type { Algorithm, Policy } from "#src/app";
import { burst } from "#support/client-requests";
import { badExpiries } from "#support/key-expiries";
import { countStatus } from "#support/reply-statuses";
import { useInstances } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const instances = useInstances(3); // three app processes, started once for the file
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const ALGORITHMS: Algorithm[] = ["fixed-window", "sliding-window", "token-bucket"];

/**
 * How long each chunk between the instances and Redis takes each way (ms): instances behind a
 * load balancer reach Redis over a network. It also keeps a burst's requests in flight together on
 * a loaded machine, where they could otherwise be answered one at a time and a check-then-act race
 * go unseen: a CI run saw sliding-log-check-then-add pass this stage at 0 ms, and a verify of all
 * eight exercises on a slow machine at 5 ms. At 25 ms a check and its write are at least 50 ms
 * apart, wide enough for the requests of a burst sent by a starved test process.
 */
const REDIS_HOP_MS = 25;
let redisUrl: string; // Redis through a fault proxy that adds REDIS_HOP_MS each way
const REDIS_TIMEOUT_MS = 2000;

/**
 * Three new app instances, one in each process: each its own Redis client, and no memory shared.
 * Redis gets 2 s to answer (R6.1's `redisTimeoutMs`, default 200 ms): a burst of hundreds of
 * requests, each two hops of REDIS_HOP_MS, on a loaded machine must not turn into 503s here;
 * R6.1's bound is tested in redis-outage.
 */
function threeInstances(policy: Policy, now: () => number): Promise<string[]> {
  return instances.start(() => ({
    redis: redisClient(redisUrl),
    policy,
    now,
    redisTimeoutMs: REDIS_TIMEOUT_MS,
  }));
}

describe("many-instances", () => {
  beforeAll(async () => {
    const proxy = await startFaultProxy(services.redisUrl);
    proxy.delay(REDIS_HOP_MS);
    redisUrl = proxy.url;
  });
  beforeEach(() => services.redis.flushdb());

  it.each(ALGORITHMS)(
    "[R5.1, R5.2, R1.6] %s: lets exactly `limit` of 3 × limit concurrent requests through three instances",
    async (algorithm) => {
      const limit = random.int(60, 100);
      const policy: Policy = {
        name: "default",
        algorithm,
        limit,
        windowSeconds: random.int(30, 120),
      };
      const clock = manualClock(windowStart(random, policy.windowSeconds) + 1000);
      const urls = await threeInstances(policy, clock.now);
      const key = random.token();

      const replies = await burst(urls, 3 * limit, key);
      const passed = countStatus(replies, 200);
      const refused = countStatus(replies, 429);
      because(
        `expected exactly ${limit} of ${3 * limit} concurrent requests (${algorithm}, three instances) to pass and ${2 * limit} to get 429; ${passed} passed, ${refused} got 429 ${seed}`,
        () => expect([passed, refused]).toEqual([limit, 2 * limit]),
      );

      const bad = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
      because(
        `expected every key to expire within two windows (${2 * policy.windowSeconds} s); these do not: ${bad.join(", ")} ${seed}`,
        () => expect(bad).toEqual([]),
      );
    },
  );

  it("[R5.1, R1.4] keeps clients apart under concurrency: two keys, each exactly its limit", async () => {
    const policy: Policy = {
      name: "default",
      algorithm: random.pick(ALGORITHMS),
      limit: random.int(20, 40),
      windowSeconds: 60,
    };
    const clock = manualClock(windowStart(random, 60) + 1000);
    const urls = await threeInstances(policy, clock.now);
    const [a, b] = [random.token(), random.token()];
    const [forA, forB] = await Promise.all([
      burst(urls, 2 * policy.limit, a),
      burst(urls, 2 * policy.limit, b),
    ]);
    because(
      `expected ${policy.limit} passes for each of two keys (${policy.algorithm}), saw ${countStatus(forA, 200)} and ${countStatus(forB, 200)} ${seed}`,
      () =>
        expect([countStatus(forA, 200), countStatus(forB, 200)]).toEqual([
          policy.limit,
          policy.limit,
        ]),
    );
  });

  it.each(ALGORITHMS)(
    "[R5.1, R4.1] %s: holds the limit across instances over time, not only at one instant",
    async (algorithm) => {
      const policy: Policy = {
        name: "default",
        algorithm,
        limit: random.int(20, 40),
        windowSeconds: 60,
      };
      const clock = manualClock(windowStart(random, 60));
      const urls = await threeInstances(policy, clock.now);
      const key = random.token();
      let passed = 0;
      for (let round = 0; round < 6; round++) {
        clock.advance(5000);
        passed += countStatus(await burst(urls, policy.limit, key), 200);
      }
      // Six rounds 5 s apart fall in one 60 s window; a token bucket also refills limit/60 tokens per
      // second over the 25 s between the first round and the last, and each round takes them all.
      const expected =
        algorithm === "token-bucket"
          ? policy.limit + Math.floor((25 * policy.limit) / 60)
          : policy.limit;
      because(
        `expected exactly ${expected} passes (${algorithm}, limit ${policy.limit} per 60 s) over six rounds of ${policy.limit} concurrent requests 5 s apart, saw ${passed} ${seed}`,
        () => expect(passed).toBe(expected),
      );
    },
  );
});
