// Stage fixed-window, hidden: who the client is. API keys, IPs, forged headers, malformed keys.
import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import type { Policy } from "#src/app";
import { fakeClock, windowStart } from "#support/fake-clock";
import { get, isProblem, statuses } from "#support/http";
import { startApp } from "#support/start-app";

const services = useServices();
const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function setup() {
  const policy: Policy = { name: "default", algorithm: "fixed-window", limit: random.int(2, 6), windowSeconds: 60 };
  const clock = fakeClock(windowStart(random, 60));
  const url = await startApp({ redis: services.newRedis(), policy, now: clock.now });
  return { limit: policy.limit, url };
}

async function spend(url: string, count: number, apiKey?: string, headers?: Record<string, string>) {
  const replies = [];
  for (let i = 0; i < count; i++) replies.push(await get(url, apiKey, headers));
  return statuses(replies);
}

describe("fixed-window: clients", () => {
  beforeEach(() => services.redis.flushdb());

  it("gives every API key a budget of its own", async () => {
    const { limit, url } = await setup();
    const [a, b] = [random.token(), random.token()];
    const spentA = await spend(url, limit + 1, a);
    const firstOfB = await spend(url, limit, b);
    because(`expected key A to be refused after ${limit} ${seed}`, () => expect(spentA.at(-1)).toBe(429));
    because(`expected key B, untouched by A's ${limit + 1} requests, to get ${limit} × 200 ${seed}`, () =>
      expect(firstOfB).toEqual(Array(limit).fill(200)));
  });

  it("counts requests without a key by the caller's IP, apart from any key", async () => {
    const { limit, url } = await setup();
    const anonymous = await spend(url, limit + 1);
    const withKey = await spend(url, 1, random.token());
    because(`expected ${limit} × 200 then 429 for requests without X-API-Key ${seed}`, () =>
      expect(anonymous).toEqual([...Array(limit).fill(200), 429]));
    because(`expected a keyed client to keep its own budget while the IP is refused ${seed}`, () => expect(withKey).toEqual([200]));
  });

  it("does not hand out fresh budgets for forged X-Forwarded-For addresses", async () => {
    const { limit, url } = await setup();
    await spend(url, limit);
    const forged: Awaited<ReturnType<typeof spend>> = [];
    for (let i = 0; i < 5; i++) {
      const ip = `203.0.113.${random.int(1, 254)}`;
      forged.push(...(await spend(url, 1, undefined, { "X-Forwarded-For": ip, "X-Real-IP": ip, Forwarded: `for=${ip}` })));
    }
    because(`expected 429s: the app trusts no proxy, so X-Forwarded-For must not change who the client is ${seed}`, () =>
      expect(forged).toEqual(Array(5).fill(429)));
  });

  it("keeps an API key that is spelled like the caller's IP apart from that IP", async () => {
    const { limit, url } = await setup();
    await spend(url, limit); // the IP's budget is now spent
    for (const spelled of ["127.0.0.1", "ip-127.0.0.1", "ip.127.0.0.1"]) {
      const [status] = await spend(url, 1, spelled);
      because(`expected X-API-Key: ${spelled} to have a budget of its own, not the IP's spent one ${seed}`, () => expect(status).toBe(200));
    }
  });

  it("refuses a malformed X-API-Key with a 400 problem, without counting it", async () => {
    const { limit, url } = await setup();
    const malformed = ["", "x".repeat(129), "has space", "colon:key", "star*", "quote\"key", "clé"];
    for (const apiKey of malformed) {
      const reply = await get(url, undefined, { "X-API-Key": apiKey });
      because(`expected 400 application/problem+json for X-API-Key ${JSON.stringify(apiKey)}, saw ${reply.status} ${reply.headers.get("content-type")}`, () => {
        expect(reply.status).toBe(400);
        expect(isProblem(reply)).toBe(true);
      });
    }
    const anonymous = await spend(url, limit);
    because(`expected the refused malformed requests not to spend the IP's budget ${seed}`, () =>
      expect(anonymous).toEqual(Array(limit).fill(200)));
  });
});
