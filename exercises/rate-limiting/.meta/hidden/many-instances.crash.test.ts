// Stage many-instances, hidden: an instance that dies between two Redis commands leaves no immortal key.
import {
  because,
  manualClock,
  redisClient,
  seededRandom,
  startLearner,
  type LearnerProcess,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type { Algorithm, Policy } from "#src/app";
import { get } from "#support/client-requests";
import { crashingRedis } from "#support/crashing-redis";
import { badExpiries } from "#support/key-expiries";
import { hostOf, startApp } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const learner = useLearner(); // the healthy instances
const random = seededRandom();
const seed = `(seed ${random.seed})`;

/** A process for instances that are to crash: kept while none has (a start costs a few hundred ms). */
let alive: LearnerProcess | undefined;

/**
 * An app instance in a process of its own that is killed when it sends its Redis command
 * #`commands + 1`: Redis has run its first `commands` commands (after the connection's setup) and
 * nothing after them. Two requests are sent to it, the second only if it is still alive.
 */
async function crashAfter(commands: number, policy: Policy, now: () => number, key: string) {
  const instance = alive ?? (await startLearner());
  const redis = await crashingRedis(services.redisUrl, commands, () => instance.stop());
  const url = await startApp(hostOf(instance), { redis: redisClient(redis.url), policy, now });
  try {
    await get(url, key);
    await get(url, key);
  } catch {
    // the instance died while answering
  }
  await redis.settled();
  alive = instance.running ? instance : undefined;
}

describe("many-instances: crash between commands", () => {
  beforeEach(() => services.redis.flushdb());

  it.each<Algorithm>(["fixed-window", "sliding-window", "token-bucket"])(
    "[R5.2, R1.6] %s: whichever command an instance dies after, every key it wrote still expires",
    async (algorithm) => {
      const policy: Policy = {
        name: "default",
        algorithm,
        limit: random.int(3, 9),
        windowSeconds: random.int(10, 60),
      };
      const clock = manualClock(windowStart(random, policy.windowSeconds) + 500);
      const key = random.token();
      for (let commands = 1; commands <= 4; commands++) {
        await crashAfter(commands, policy, clock.now, key);
        const bad = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
        because(
          `expected no key without an expiry after an instance died after its command #${commands} (${algorithm}); found ${bad.join(", ")}. Write a key and its expiry in one atomic step ${seed}`,
          () => expect(bad).toEqual([]),
        );
        // The healthy instances go on with the same client's budget.
        const healthy = await startApp(learner, {
          redis: redisClient(services.redisUrl),
          policy,
          now: clock.now,
        });
        await get(healthy, key);
        const afterHealthy = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
        because(
          `expected no key without an expiry once a healthy instance counted after the crash (${algorithm}); found ${afterHealthy.join(", ")} ${seed}`,
          () => expect(afterHealthy).toEqual([]),
        );
      }
    },
  );
});
