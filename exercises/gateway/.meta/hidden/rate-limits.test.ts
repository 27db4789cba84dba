import { setTimeout as sleep } from "node:timers/promises";
import {
  because,
  pgPool,
  PROBLEM_JSON,
  redisClient,
  seededRandom,
  startFaultProxy,
  startLearner,
  startRedis,
  useLearner,
  useServices,
  within,
} from "@backend-sandbox/testkit";
import { bearer } from "#support/bearer";
import { consumers } from "#support/consumers";
import { jwt } from "#support/jwt";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream, type Upstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
let secondProcess: ReturnType<typeof startLearner> | undefined;
/** A second learner's process, for a second gateway instance: nothing but Redis is shared. */
const secondInstance = () => (secondProcess ??= startLearner());
const random = seededRandom();
const seed = `(seed ${random.seed})`;
let orders: Upstream;

/**
 * The race tests' gateways reach Redis through a fault proxy that adds REDIS_HOP_MS each way, as
 * instances behind a load balancer reach Redis over a network: every round trip takes at least
 * 10 ms, so a read-then-write's concurrent requests overlap even when a loaded machine answers
 * the burst one request at a time.
 */
const REDIS_HOP_MS = 5;
let redisOverNetwork: string;

beforeAll(async () => {
  await migrate();
  orders = await startUpstream("orders");
  const proxy = await startFaultProxy(services.redisUrl);
  proxy.delay(REDIS_HOP_MS);
  redisOverNetwork = proxy.url;
});

async function consumerWithId(rateLimit: number) {
  const apiKey = `sk_${random.token(32)}`;
  const { id } = await createConsumer({
    name: `c-${random.token(4)}`,
    apiKey,
    routes: ["orders"],
    rateLimit,
  });
  return { apiKey, id };
}

async function consumer(rateLimit: number) {
  return { "x-api-key": (await consumerWithId(rateLimit)).apiKey };
}

describe("rate-limits", () => {
  it("[R4.1, R4.2] lets exactly the limit through when many requests race on two gateway instances", async () => {
    const limit = random.int(5, 15);
    const total = limit * 3;
    const headers = await consumer(limit);
    const one = await servePrivateRoutes(learner, services, [orders], {
      rateLimitWindowMs: 60_000,
      redis: redisClient(redisOverNetwork),
    });
    const two = await servePrivateRoutes(await secondInstance(), services, [orders], {
      rateLimitWindowMs: 60_000,
      redis: redisClient(redisOverNetwork),
    });
    const before = orders.received.length;

    const answers = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        send(i % 2 ? one.url : two.url, "/orders", { headers }),
      ),
    );

    const passed = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    because(
      `expected exactly ${limit} of ${total} concurrent requests to pass and ${total - limit} to get 429; ${passed} passed ${seed}`,
      () => {
        expect(passed).toBe(limit);
        expect(limited).toHaveLength(total - limit);
        expect(orders.received.length - before).toBe(limit);
      },
    );
    because(
      "expected every 429 to be a problem document with Retry-After between 1 and 60 seconds",
      () => {
        for (const answer of limited) {
          expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
          const retryAfter = Number(answer.headers.get("retry-after"));
          expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
        }
      },
    );
  });

  it("[R4.3] counts each consumer separately", async () => {
    const limit = random.int(2, 5);
    const [greedy, patient] = [await consumer(limit), await consumer(limit)];
    const status = await startUpstream("status");
    const { url } = await serveGateway(learner, {
      pg: pgPool(services.databaseUrl),
      redis: redisClient(services.redisUrl),
      routes: [
        { name: "orders", prefix: "/orders", upstream: "orders" },
        { name: "status", prefix: "/status", upstream: "status", public: true },
      ],
      upstreams: { orders: [orders.url], status: [status.url] },
    });

    for (let i = 0; i < limit + 2; i += 1) await send(url, "/orders", { headers: greedy });
    const other = await send(url, "/orders", { headers: patient });
    const open: number[] = [];
    for (let i = 0; i < limit + 2; i += 1)
      open.push((await send(url, "/status", { headers: greedy })).status);

    because(
      `expected a fresh consumer to pass after another used up its ${limit} requests (saw ${other.status}), and the public route to serve all ${limit + 2} (saw ${open.join(", ")}) ${seed}`,
      () => {
        expect(other.status).toBe(200);
        expect(open).toEqual(Array(limit + 2).fill(200));
      },
    );
  });

  it("[R4.1, R4.2] uses a 60 s window when rateLimitWindowMs is left out", async () => {
    const headers = await consumer(1);
    const { url } = await servePrivateRoutes(learner, services, [orders]);

    const first = await send(url, "/orders", { headers });
    const second = await send(url, "/orders", { headers });
    const retryAfter = Number(second.headers.get("retry-after"));

    because(
      `expected 200 then 429 with Retry-After 60 (55 to 60 allowing for a slow machine) for a limit of 1 in the default window; saw ${first.status}, ${second.status} with Retry-After ${second.headers.get("retry-after")} ${seed}`,
      () => {
        expect([first.status, second.status]).toEqual([200, 429]);
        expect(retryAfter >= 55 && retryAfter <= 60).toBe(true);
      },
    );
  });

  it("[R4.1] shares one count between a consumer's API key and its bearer tokens, across two gateway instances", async () => {
    const limit = random.int(4, 10);
    const total = limit * 3;
    const secret = random.token(40);
    const { apiKey, id } = await consumerWithId(limit);
    const token = jwt(secret, { sub: id, exp: Math.floor(Date.now() / 1000) + 3600 });
    const options = () => ({
      rateLimitWindowMs: 60_000,
      jwt: { secret },
      redis: redisClient(redisOverNetwork),
    });
    const one = await servePrivateRoutes(learner, services, [orders], options());
    const two = await servePrivateRoutes(await secondInstance(), services, [orders], options());
    const before = orders.received.length;

    // Every combination of credential and instance, interleaved and all at once.
    const answers = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        send(i % 2 ? one.url : two.url, "/orders", {
          headers: (i >> 1) % 2 ? bearer(token) : { "x-api-key": apiKey },
        }),
      ),
    );

    const passed = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429).length;
    const others = answers.filter((a) => a.status !== 200 && a.status !== 429);
    const otherwise =
      others.length > 0 ? `, ${others.map((a) => a.status).join(", ")} otherwise` : "";
    because(
      `expected exactly ${limit} of ${total} concurrent requests (half with the key, half with a token, over two instances) to pass and the rest to get 429; ${passed} passed, ${limited} limited${otherwise} ${seed}`,
      () => {
        expect(passed).toBe(limit);
        expect(limited).toBe(total - limit);
        expect(orders.received.length - before).toBe(limit);
      },
    );
  });

  it("[R4.4] starts a new window once the old one has passed", async () => {
    const headers = await consumer(2);
    const { url } = await servePrivateRoutes(learner, services, [orders], {
      rateLimitWindowMs: 1500,
    });

    const first: number[] = [];
    for (let i = 0; i < 3; i += 1) first.push((await send(url, "/orders", { headers })).status);
    await sleep(1800);
    const later = await send(url, "/orders", { headers });

    because(
      `expected 200, 200, 429 in a 1.5 s window, then 200 after 1.8 s; saw ${first.join(", ")}, then ${later.status}`,
      () => {
        expect(first).toEqual([200, 200, 429]);
        expect(later.status).toBe(200);
      },
    );
  });

  it("[R4.5] answers 503 with Retry-After within a second or two while Redis is frozen, and recovers", async () => {
    const redisServer = await startRedis();
    const redis = redisClient(redisServer.url, { maxRetriesPerRequest: 1 });
    const headers = await consumer(100);
    const { url } = await servePrivateRoutes(learner, services, [orders], { redis });
    expect((await send(url, "/orders", { headers })).status).toBe(200);

    await redisServer.pause();
    const frozen = await within(
      2500,
      "an answer while Redis is frozen",
      send(url, "/orders", { headers, timeoutMs: 5000 }),
    );
    await redisServer.resume();
    const back = await within(
      5000,
      "an answer once Redis is back",
      send(url, "/orders", { headers, timeoutMs: 5000 }),
    );

    because(
      `expected 503 + Retry-After while Redis was frozen (saw ${frozen.status}), then 200 (saw ${back.status})`,
      () => {
        expect(frozen.status).toBe(503);
        expect(Number(frozen.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(back.status).toBe(200);
      },
    );
  });
});
