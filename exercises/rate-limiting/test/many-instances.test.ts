// Stage many-instances: three app instances share one Redis; the limit holds across them.
import { manualClock, redisClient, useServices } from "@backend-sandbox/testkit";
import type { Algorithm } from "#src/app";
import { burst } from "#support/client-requests";
import { keyExpiries } from "#support/key-expiries";
import { countStatus } from "#support/reply-statuses";
import { useInstances } from "#support/start-app";

const services = useServices();
const instances = useInstances(3); // three app processes, started once for the file

describe("many-instances", () => {
  beforeEach(() => services.redis.flushdb());

  it.each<Algorithm>(["fixed-window", "sliding-window", "token-bucket"])(
    "[R5.1, R5.2] %s: lets exactly 100 of 300 concurrent requests through three instances, and every key expires",
    async (algorithm) => {
      const clock = manualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
      const policy = { name: "default", algorithm, limit: 100, windowSeconds: 60 };
      // Three instances, each a process of its own with its own Redis client.
      const urls = await instances.start(() => ({
        redis: redisClient(services.redisUrl),
        policy,
        now: clock.now,
      }));

      const replies = await burst(urls, 300, "alice");

      expect(countStatus(replies, 200)).toBe(100);
      expect(countStatus(replies, 429)).toBe(200);
      for (const { key, pttl } of await keyExpiries(services.redis)) {
        expect({ key, expires: pttl > 0 }).toEqual({ key, expires: true });
      }
    },
  );
});
