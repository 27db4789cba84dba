import { Redis } from "ioredis";
import { because, onCleanup, seededRandom, startRedis, useServices, within } from "@backend-sandbox/testkit";
import { createConsumer, migrate } from "#src/consumers";
import { send, PROBLEM_JSON } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream, type Upstream } from "#support/upstream";

const services = useServices();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const routes = [{ name: "orders", prefix: "/orders", upstream: "orders" }];
let orders: Upstream;

beforeAll(async () => {
  await migrate(services.pg);
  orders = await startUpstream("orders");
});

async function consumer(rateLimit: number) {
  const apiKey = `sk_${random.token(32)}`;
  await createConsumer(services.pg, { name: `c-${random.token(4)}`, apiKey, routes: ["orders"], rateLimit });
  return { "x-api-key": apiKey };
}

describe("rate-limits", () => {
  it("[R4.1, R4.2] lets exactly the limit through when many requests race on two gateway instances", async () => {
    const limit = random.int(5, 15);
    const total = limit * 3;
    const headers = await consumer(limit);
    const upstreams = { orders: [orders.url] };
    const one = await serveGateway({ pg: services.pg, redis: services.redis, routes, upstreams, rateLimitWindowMs: 60_000 });
    const two = await serveGateway({ routes, upstreams, rateLimitWindowMs: 60_000, redis: services.newRedis(), pg: services.newPool() });
    const before = orders.received.length;

    const answers = await Promise.all(Array.from({ length: total }, (_, i) => send(i % 2 ? one.url : two.url, "/orders", { headers })));

    const passed = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    because(`expected exactly ${limit} of ${total} concurrent requests to pass and ${total - limit} to get 429; ${passed} passed ${seed}`, () => {
      expect(passed).toBe(limit);
      expect(limited).toHaveLength(total - limit);
      expect(orders.received.length - before).toBe(limit);
    });
    because("expected every 429 to be a problem document with Retry-After between 1 and 60 seconds", () => {
      for (const answer of limited) {
        expect(answer.headers["content-type"]).toMatch(PROBLEM_JSON);
        const retryAfter = Number(answer.headers["retry-after"]);
        expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      }
    });
  });

  it("[R4.3] counts each consumer separately", async () => {
    const limit = random.int(2, 5);
    const [greedy, patient] = [await consumer(limit), await consumer(limit)];
    const { url } = await serveGateway({ pg: services.pg, redis: services.redis, routes, upstreams: { orders: [orders.url] } });

    for (let i = 0; i < limit + 2; i += 1) await send(url, "/orders", { headers: greedy });
    const other = await send(url, "/orders", { headers: patient });

    because(`expected a fresh consumer to pass after another used up its ${limit} requests ${seed}`, () => expect(other.status).toBe(200));
  });

  it("[R4.4] starts a new window once the old one has passed", async () => {
    const headers = await consumer(2);
    const { url } = await serveGateway({ pg: services.pg, redis: services.redis, routes, upstreams: { orders: [orders.url] }, rateLimitWindowMs: 1500 });

    const first: number[] = [];
    for (let i = 0; i < 3; i += 1) first.push((await send(url, "/orders", { headers })).status);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    const later = await send(url, "/orders", { headers });

    because(`expected 200, 200, 429 in a 1.5 s window, then 200 after 1.8 s; saw ${first.join(", ")}, then ${later.status}`, () => {
      expect(first).toEqual([200, 200, 429]);
      expect(later.status).toBe(200);
    });
  });

  it("[R4.5] answers 503 with Retry-After within a second or two while Redis is frozen, and recovers", async () => {
    const redisServer = await startRedis();
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
    onCleanup(() => redis.disconnect());
    const headers = await consumer(100);
    const { url } = await serveGateway({ pg: services.pg, redis, routes, upstreams: { orders: [orders.url] } });
    expect((await send(url, "/orders", { headers })).status).toBe(200);

    await redisServer.pause();
    const frozen = await within(2500, "an answer while Redis is frozen", send(url, "/orders", { headers, timeoutMs: 5000 }));
    await redisServer.resume();
    const back = await within(5000, "an answer once Redis is back", send(url, "/orders", { headers, timeoutMs: 5000 }));

    because(`expected 503 + Retry-After while Redis was frozen (saw ${frozen.status}), then 200 (saw ${back.status})`, () => {
      expect(frozen.status).toBe(503);
      expect(Number(frozen.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(back.status).toBe(200);
    });
  });
});
