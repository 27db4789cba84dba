// Stage redis-outage, hidden: Redis frozen (connections open, nothing answers), then resumed.
import {
  because,
  eventually,
  seededRandom,
  timed,
  within,
  useLearner,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { burst, get, inTurn } from "#support/client-requests";
import { countingAgain } from "#support/counting-again";
import { outageRedis } from "#support/outage-redis";
import { statuses } from "#support/reply-statuses";
import { startApp } from "#support/start-app";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;
const BOUND_MS = 1500; // redisTimeoutMs is 200; the rest is margin for a loaded machine

describe("redis-outage: Redis paused", () => {
  it.each(["closed", "open"] as const)(
    "[R6.1, R6.2, R6.3, R6.5] fails %s within the bound while Redis is frozen, then recovers",
    async (failMode) => {
      const { server, client } = await outageRedis();
      const policy: Policy = {
        name: "default",
        algorithm: random.pick(["fixed-window", "sliding-window", "token-bucket"] as const),
        limit: random.int(3, 8),
        windowSeconds: 60,
      };
      const url = await startApp(learner, {
        redis: client(),
        policy,
        failMode,
        redisTimeoutMs: 200,
      });
      const key = random.token();
      await eventually(`200 while Redis is up ${seed}`, () => get(url, key), {
        until: (reply) => reply.status === 200,
        timeoutMs: 5000,
      });

      await server.pause();
      try {
        const expected = failMode === "closed" ? 503 : 200;
        const { value: during, ms } = await timed(() =>
          within(
            BOUND_MS * 2,
            "10 concurrent answers while Redis is frozen",
            burst([url], 10, key),
          ),
        );
        because(
          `expected only ${expected}s while Redis is frozen (failMode "${failMode}"), saw ${statuses(during).join(", ")} ${seed}`,
          () => expect(statuses(during)).toEqual(Array(10).fill(expected)),
        );
        because(
          `expected the answers within ${BOUND_MS * 2} ms, they took ${Math.round(ms)} ms`,
          () => expect(ms).toBeLessThan(BOUND_MS * 2),
        );
      } finally {
        await server.resume();
      }

      await countingAgain(url, random);
      const fresh = random.token();
      const again = statuses(await inTurn(url, policy.limit + 1, fresh));
      because(
        `expected ${policy.limit} × 200 then 429 for a new client after recovery (${policy.algorithm}) ${seed}`,
        () => expect(again).toEqual([...Array(policy.limit).fill(200), 429]),
      );
    },
  );
});
