import {
  because,
  onCleanup,
  pgPool,
  PROBLEM_JSON,
  redisClient,
  RemoteError,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { consumers } from "#support/consumers";
import { deadUrl } from "#support/dead-url";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { createGateway, serveGateway, type GatewayConfig } from "#support/serve-gateway";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream, type Upstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const key = () => `sk_${random.token(32)}`;
let orders: Upstream;
let users: Upstream;

beforeAll(async () => {
  await migrate();
  orders = await startUpstream("orders");
  users = await startUpstream("users");
});
beforeEach(() => {
  orders.received.length = 0;
  users.received.length = 0;
});

describe("auth: the gateway's wiring", () => {
  it("[R3.18] refuses to start with a route that is not public when pg or redis is missing", async () => {
    const options = {
      routes: [
        { name: "orders", prefix: "/orders", upstream: "orders" },
        { name: "status", prefix: "/status", upstream: "users", public: true },
      ],
      upstreams: { orders: [orders.url], users: [users.url] },
    };
    // A throw inside createGateway comes back as a RemoteError; anything else is not a throw.
    const outcome = (extra: Partial<GatewayConfig>) =>
      createGateway(learner, { ...options, ...extra }).then(
        (gateway) => {
          onCleanup(() => gateway.close());
          return "started";
        },
        (error: unknown) =>
          error instanceof RemoteError ? "threw" : `failed: ${(error as Error).message}`,
      );

    const refused = [
      await outcome({}),
      await outcome({ pg: pgPool(services.databaseUrl) }),
      await outcome({ redis: redisClient(services.redisUrl) }),
    ];

    because(
      `expected createGateway to throw for a route that is not public without pg and redis, with pg alone and with redis alone; saw ${refused.join(", ")}`,
      () => expect(refused).toEqual(["threw", "threw", "threw"]),
    );
  });

  it("[R1.6, R3.19] answers a 5xx problem document while Postgres is unreachable, forwards nothing, and keeps serving", async () => {
    const { port } = new URL(await deadUrl());
    const { url } = await serveGateway(learner, {
      pg: pgPool({ connectionString: `postgres://sandbox@127.0.0.1:${port}/none`, max: 1 }),
      redis: redisClient(services.redisUrl),
      routes: [
        { name: "orders", prefix: "/orders", upstream: "orders" },
        { name: "status", prefix: "/status", upstream: "users", public: true },
      ],
      upstreams: { orders: [orders.url], users: [users.url] },
    });
    const settle = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );

    const protectedAnswer = await settle(
      send(url, "/orders/1", { headers: { "x-api-key": key() }, timeoutMs: 3000 }),
    );
    const publicAnswer = await settle(send(url, "/status", { timeoutMs: 3000 }));

    because(
      `expected a 500 or 503 problem document (non-empty title and detail) for /orders while Postgres refuses connections, no upstream request, then 200 on the public /status; saw ${"value" in protectedAnswer ? `${protectedAnswer.value.status} ${protectedAnswer.value.text.slice(0, 200)}` : protectedAnswer.error} and ${"value" in publicAnswer ? publicAnswer.value.status : publicAnswer.error}`,
      () => {
        expect("value" in protectedAnswer).toBe(true);
        expect("value" in publicAnswer).toBe(true);
      },
    );
    const answer = (protectedAnswer as { value: Awaited<ReturnType<typeof send>> }).value;
    const body = (answer.body ?? {}) as Record<string, unknown>;
    because(
      `expected a 500 or 503 application/problem+json with a non-empty title and detail; saw ${answer.status} (${answer.headers.get("content-type")}) ${answer.text.slice(0, 200)}`,
      () => {
        expect([500, 503]).toContain(answer.status);
        expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(body.status).toBe(answer.status);
        expect(body.title).toEqual(expect.stringMatching(/\S/));
        expect(body.detail).toEqual(expect.stringMatching(/\S/));
        expect(orders.received).toHaveLength(0);
        expect((publicAnswer as { value: { status: number } }).value.status).toBe(200);
      },
    );
  });

  it("[R1.3, R1.6, R3.3, R3.4] forwards an API-key caller's own Authorization header, and answers 403 as a problem document", async () => {
    const apiKey = key();
    await createConsumer({
      name: `c-${random.token(4)}`,
      apiKey,
      routes: ["orders"],
      rateLimit: 1000,
    });
    const { url } = await servePrivateRoutes(learner, services, [orders, users]);
    const authorization = `Basic ${Buffer.from(`u:${random.token(12)}`).toString("base64")}`;

    const allowed = await send(url, "/orders/1", {
      headers: { "x-api-key": apiKey, authorization },
    });
    const denied = await send(url, "/users/1", { headers: { "x-api-key": apiKey } });

    const forwarded = orders.received[0]?.headers ?? {};
    because(
      `expected 200 and the client's Authorization upstream unchanged (only X-Api-Key goes); saw ${allowed.status} and ${forwarded.authorization ?? "no Authorization"} ${seed}`,
      () => {
        expect(allowed.status).toBe(200);
        expect(forwarded.authorization).toBe(authorization);
      },
    );
    expectProblem(denied, 403, `a key whose consumer may not call /users ${seed}`);
    because("expected nothing forwarded to users", () => expect(users.received).toHaveLength(0));
  });
});
