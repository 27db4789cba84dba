// Stage headers, hidden: RateLimit-Policy and RateLimit (draft -08 and later) on 2xx and 429 alike.
import {
  because,
  seededRandom,
  useServices,
  type HttpReply,
  useLearner,
  redisClient,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { get } from "#support/client-requests";
import { rateLimitFields } from "#support/rate-limit-fields";
import { retryAfter } from "#support/retry-after";
import { startAppOnClock } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function setup() {
  const policy: Policy = {
    name: `plan-${random.token(5)}`,
    algorithm: "fixed-window",
    limit: random.int(3, 9),
    windowSeconds: random.int(20, 200),
  };
  const { clock, url } = await startAppOnClock(learner, windowStart(random, policy.windowSeconds), {
    redis: redisClient(services.redisUrl),
    policy,
  });
  return { policy, clock, url, key: random.token() };
}

function fields(reply: HttpReply, what: string) {
  const parsed = rateLimitFields(reply);
  because(
    `expected RateLimit-Policy: "<name>";q=<limit>;w=<seconds> and RateLimit: "<name>";r=<remaining>;t=<seconds> on ${what}, saw ${JSON.stringify(reply.headers.get("ratelimit-policy"))} and ${JSON.stringify(reply.headers.get("ratelimit"))}`,
    () => expect(parsed).toBeDefined(),
  );
  return parsed!;
}

describe("headers", () => {
  beforeEach(() => services.redis.flushdb());

  it("[R2.1] names the policy, its quota and window on every answer, 429s included", async () => {
    const { policy, url, key } = await setup();
    for (let i = 1; i <= policy.limit + 2; i++) {
      const reply = await get(url, key);
      const { policy: sent, limit } = fields(reply, `request ${i} (status ${reply.status})`);
      because(
        `expected RateLimit-Policy "${policy.name}";q=${policy.limit};w=${policy.windowSeconds} on request ${i} ${seed}`,
        () => expect(sent).toEqual({ name: policy.name, q: policy.limit, w: policy.windowSeconds }),
      );
      because(
        `expected RateLimit to name the same policy as RateLimit-Policy ("${policy.name}") ${seed}`,
        () => expect(limit.name).toBe(policy.name),
      );
    }
  });

  it("[R2.2] counts remaining quota down by one per request to 0, never below", async () => {
    const { policy, url, key } = await setup();
    const remaining: (number | undefined)[] = [];
    for (let i = 0; i < policy.limit + 3; i++)
      remaining.push(fields(await get(url, key), `request ${i + 1}`).limit.r);
    const expected = [
      ...Array.from({ length: policy.limit }, (_, i) => policy.limit - 1 - i),
      0,
      0,
      0,
    ];
    because(`expected r to go ${expected.join(", ")} for limit ${policy.limit} ${seed}`, () =>
      expect(remaining).toEqual(expected),
    );
  });

  it("[R2.3, R1.3] sends t as the whole seconds, rounded up, until the window ends; on a 429, Retry-After equals t", async () => {
    const { policy, clock, url, key } = await setup();
    const windowMs = policy.windowSeconds * 1000;
    let elapsed = 0;
    for (let i = 0; i <= policy.limit; i++) {
      const step = random.int(1, Math.floor(windowMs / (policy.limit + 2)));
      clock.advance(step);
      elapsed += step;
      const reply = await get(url, key);
      const { t } = fields(reply, `request ${i + 1}`).limit;
      const expected = Math.ceil((windowMs - elapsed) / 1000);
      because(
        `expected t=${expected} at ${elapsed} ms into a ${policy.windowSeconds} s window, saw t=${t} ${seed}`,
        () => expect(t).toBe(expected),
      );
      if (reply.status === 429) {
        because(
          `expected Retry-After (${reply.headers.get("retry-after")}) to equal t (${t}) on a 429 ${seed}`,
          () => expect(retryAfter(reply)).toBe(t),
        );
      }
    }
  });

  it("[R2.2, R2.3, R1.1] restores the full quota in the next window", async () => {
    const { policy, clock, url, key } = await setup();
    for (let i = 0; i <= policy.limit; i++) await get(url, key);
    clock.advance(policy.windowSeconds * 1000);
    const { r, t } = fields(await get(url, key), "the first request of the next window").limit;
    because(
      `expected r=${policy.limit - 1};t=${policy.windowSeconds} on the first request of a new window, saw r=${r};t=${t} ${seed}`,
      () => expect({ r, t }).toEqual({ r: policy.limit - 1, t: policy.windowSeconds }),
    );
  });
});
