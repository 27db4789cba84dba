// Stage fixed-window, hidden: who the client is. API keys, IPs, forged headers, malformed keys.
import {
  PROBLEM_JSON,
  because,
  seededRandom,
  useServices,
  useLearner,
  redisClient,
} from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { get, inTurn } from "#support/client-requests";
import { statuses } from "#support/reply-statuses";
import { startAppOnClock } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function setup() {
  const policy: Policy = {
    name: "default",
    algorithm: "fixed-window",
    limit: random.int(2, 6),
    windowSeconds: 60,
  };
  const { url } = await startAppOnClock(learner, windowStart(random, 60), {
    redis: redisClient(services.redisUrl),
    policy,
  });
  return { limit: policy.limit, url };
}

async function spend(
  url: string,
  count: number,
  apiKey?: string,
  headers?: Record<string, string>,
) {
  return statuses(await inTurn(url, count, apiKey, headers));
}

describe("fixed-window: clients", () => {
  beforeEach(() => services.redis.flushdb());

  it("[R1.4] gives every API key a budget of its own", async () => {
    const { limit, url } = await setup();
    const [a, b] = [random.token(), random.token()];
    const spentA = await spend(url, limit + 1, a);
    const firstOfB = await spend(url, limit, b);
    because(`expected key A to be refused after ${limit} ${seed}`, () =>
      expect(spentA.at(-1)).toBe(429),
    );
    because(
      `expected key B, untouched by A's ${limit + 1} requests, to get ${limit} × 200 ${seed}`,
      () => expect(firstOfB).toEqual(Array(limit).fill(200)),
    );
  });

  it("[R1.4] counts requests without a key by the caller's IP, apart from any key", async () => {
    const { limit, url } = await setup();
    const anonymous = await spend(url, limit + 1);
    const withKey = await spend(url, 1, random.token());
    because(`expected ${limit} × 200 then 429 for requests without X-API-Key ${seed}`, () =>
      expect(anonymous).toEqual([...Array(limit).fill(200), 429]),
    );
    because(`expected a keyed client to keep its own budget while the IP is refused ${seed}`, () =>
      expect(withKey).toEqual([200]),
    );
  });

  it("[R1.4] does not hand out fresh budgets for forged X-Forwarded-For addresses", async () => {
    const { limit, url } = await setup();
    await spend(url, limit);
    const forged: Awaited<ReturnType<typeof spend>> = [];
    for (let i = 0; i < 5; i++) {
      const ip = `203.0.113.${random.int(1, 254)}`;
      forged.push(
        ...(await spend(url, 1, undefined, {
          "X-Forwarded-For": ip,
          "X-Real-IP": ip,
          Forwarded: `for=${ip}`,
        })),
      );
    }
    because(
      `expected 429s: the app trusts no proxy, so X-Forwarded-For must not change who the client is ${seed}`,
      () => expect(forged).toEqual(Array(5).fill(429)),
    );
  });

  it("[R1.4] keeps an API key that is spelled like the caller's IP, or like no key at all, apart from that IP", async () => {
    const { limit, url } = await setup();
    await spend(url, limit); // the IP's budget is now spent
    // `undefined` and `null`: the text a missing header becomes when a key is built from it as is.
    for (const spelled of ["127.0.0.1", "ip-127.0.0.1", "ip.127.0.0.1", "undefined", "null"]) {
      const [status] = await spend(url, 1, spelled);
      because(
        `expected X-API-Key: ${spelled} to have a budget of its own, not the IP's spent one ${seed}`,
        () => expect(status).toBe(200),
      );
    }
  });

  it("[R1.5] refuses a malformed X-API-Key in every shape with a 400 problem, without counting it", async () => {
    const { limit, url } = await setup();
    const malformed = {
      empty: "",
      "129 characters": "k".repeat(129),
      "10 000 characters": random.token().padEnd(10_000, "x"),
      space: "has space",
      tab: "has\ttab",
      colon: "colon:key",
      star: "star*",
      quote: 'quote"key',
      "base64 padding": "a2V5Cg==",
      "base64 slash and plus": "ab/cd+ef",
      "percent-encoded": "key%2Fone",
      "non-ASCII": "clé",
    };
    for (const [shape, apiKey] of Object.entries(malformed)) {
      const reply = await get(url, undefined, { "X-API-Key": apiKey });
      because(
        `expected 400 application/problem+json for an X-API-Key that is ${shape} (${JSON.stringify(apiKey.slice(0, 40))}), saw ${reply.status} ${reply.headers.get("content-type")}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
        },
      );
    }
    const anonymous = await spend(url, limit);
    because(`expected the refused malformed requests not to spend the IP's budget ${seed}`, () =>
      expect(anonymous).toEqual(Array(limit).fill(200)),
    );
  });

  it("[R1.5, R1.4] accepts keys of 1 and of 128 characters, each of the whole alphabet, as clients of their own", async () => {
    const { limit, url } = await setup();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
    const longest = random.token(4) + alphabet.repeat(2).slice(0, 124);
    for (const apiKey of [random.pick([...alphabet]), longest]) {
      const replies = await spend(url, limit + 1, apiKey);
      because(
        `expected ${limit} × 200 then 429 for the ${apiKey.length}-character key ${JSON.stringify(apiKey)} ${seed}`,
        () => expect(replies).toEqual([...Array(limit).fill(200), 429]),
      );
    }
  });
});
