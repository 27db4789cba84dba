import {
  because,
  type HttpReply,
  pgPool,
  PROBLEM_JSON,
  redisClient,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { consumers } from "#support/consumers";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream, type Upstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const key = () => `sk_${random.token(32)}`;
let orders: Upstream;
let users: Upstream;
let url: string;

beforeAll(async () => {
  await migrate();
  await migrate(); // a second run must be harmless
  orders = await startUpstream("orders");
  users = await startUpstream("users");
  ({ url } = await serveGateway(learner, {
    pg: pgPool(services.databaseUrl),
    redis: redisClient(services.redisUrl),
    routes: [
      { name: "orders", prefix: "/orders", upstream: "orders" },
      { name: "users", prefix: "/users", upstream: "users" },
      { name: "status", prefix: "/status", upstream: "users", public: true },
    ],
    upstreams: { orders: [orders.url], users: [users.url] },
  }));
});
beforeEach(() => {
  orders.received.length = 0;
  users.received.length = 0;
});

describe("auth", () => {
  it("[R1.6, R3.2] answers 401 with WWW-Authenticate and a problem document for a missing key and for every string that is not a key", async () => {
    const real = key();
    const long = `sk_${random.token(120)}`; // bcrypt would look at its first 72 bytes only
    await createConsumer({
      name: "web",
      apiKey: real,
      routes: ["orders"],
      rateLimit: 1000,
    });
    await createConsumer({
      name: "long",
      apiKey: long,
      routes: ["orders"],
      rateLimit: 1000,
    });
    const attempts = [
      undefined,
      "",
      key(),
      real.slice(0, -1),
      `${real}x`,
      real.toUpperCase(),
      "' OR '1'='1",
      `${long.slice(0, 72)}${"Z".repeat(long.length - 72)}`,
      long.slice(0, 72),
      "k".repeat(8192),
      `${real.slice(0, -1)}\u00e9`,
      [real, real],
    ];

    const answers: HttpReply[] = [];
    for (const apiKey of attempts)
      answers.push(
        await send(url, "/orders/1", {
          headers: apiKey === undefined ? {} : { "x-api-key": apiKey },
        }),
      );

    because(
      `expected 401 + WWW-Authenticate and a problem with a non-empty detail (R1.6) for: no key, empty, unknown, truncated, extended, upper-cased, SQL injection, same first 72 bytes, first 72 bytes only, 8 KiB, non-ASCII, the key twice; saw ${answers.map((a) => `${a.status} "${String(a.body?.detail)}"`).join(", ")} ${seed}`,
      () => {
        expect(answers.map((a) => a.status)).toEqual(attempts.map(() => 401));
        for (const answer of answers) {
          expect(answer.headers.get("www-authenticate")).toBeTruthy();
          expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
        }
        expect(
          answers.map((a) => typeof a.body?.detail === "string" && /\S/.test(a.body.detail)),
        ).toEqual(attempts.map(() => true));
        expect(orders.received).toHaveLength(0);
      },
    );
    const longKey = await send(url, "/orders/1", { headers: { "x-api-key": long } });
    because(
      `expected the ${long.length}-character key itself to pass; saw ${longKey.status} ${seed}`,
      () => expect(longKey.status).toBe(200),
    );
  });

  it("[R3.3] answers 403 when the consumer's key is valid but the route is not allowed to it", async () => {
    const apiKey = key();
    await createConsumer({
      name: "reports",
      apiKey,
      routes: ["users"],
      rateLimit: 1000,
    });

    const denied = await send(url, "/orders/1", { headers: { "x-api-key": apiKey } });
    const allowed = await send(url, "/users/1", { headers: { "x-api-key": apiKey } });

    because(
      `expected 403 on /orders (not in the consumer's routes) and 200 on /users ${seed}`,
      () => {
        expect(denied.status).toBe(403);
        expect(denied.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(allowed.status).toBe(200);
        expect(orders.received).toHaveLength(0);
      },
    );
  });

  it("[R3.4] forwards the consumer's id as X-Consumer-Id, overwriting a forged one, and never forwards the key", async () => {
    const apiKey = key();
    const { id } = await createConsumer({
      name: "mobile",
      apiKey,
      routes: ["orders", "users"],
      rateLimit: 1000,
    });
    const other = await createConsumer({
      name: "other",
      apiKey: key(),
      routes: ["orders"],
      rateLimit: 1000,
    });

    const answer = await send(url, "/orders/9", {
      headers: { "x-api-key": apiKey, "x-consumer-id": other.id },
    });

    const forwarded = orders.received[0]?.headers ?? {};
    because(
      `expected X-Consumer-Id ${id} (not the forged ${other.id}) and no X-Api-Key upstream; saw ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(answer.status).toBe(200);
        expect(id).not.toBe(other.id);
        expect(forwarded["x-consumer-id"]).toBe(String(id));
        expect(forwarded["x-api-key"]).toBeUndefined();
      },
    );
  });

  it("[R3.1, R3.4] serves public routes without a key, and drops a client's X-Consumer-Id there too", async () => {
    const answer = await send(url, "/status", { headers: { "x-consumer-id": "1" } });

    because("expected 200 on a public route without a key, and no X-Consumer-Id upstream", () => {
      expect(answer.status).toBe(200);
      expect(users.received[0]!.headers["x-consumer-id"]).toBeUndefined();
    });
  });

  it("[R3.2, R3.5] recognises a consumer created after the gateway started, even one whose key was tried before", async () => {
    const apiKey = key();
    const before = await send(url, "/orders/1", { headers: { "x-api-key": apiKey } });
    await createConsumer({
      name: "late",
      apiKey,
      routes: ["orders"],
      rateLimit: 1000,
    });

    const answer = await send(url, "/orders/1", { headers: { "x-api-key": apiKey } });

    because(
      `expected 401 for a key before its consumer exists, then 200 right after createConsumer, with no stale "unknown key" remembered; saw ${before.status}, then ${answer.status} ${seed}`,
      () => {
        expect(before.status).toBe(401);
        expect(answer.status).toBe(200);
      },
    );
  });

  it("[R3.17] without jwt, an Authorization header is no credential: a Bearer token alone gets 401, and with a key it reaches the upstream unchanged", async () => {
    const apiKey = key();
    const { id } = await createConsumer({
      name: "partner",
      apiKey,
      routes: ["orders"],
      rateLimit: 1000,
    });
    const authorization = `Bearer ${random.token(24)}`;

    const alone = await send(url, "/orders/1", { headers: { authorization } });
    const keyed = await send(url, "/orders/2", { headers: { authorization, "x-api-key": apiKey } });

    const forwarded = orders.received.map((r) => r.headers);
    because(
      `expected 401 for a Bearer header alone (no jwt configured: no key), then 200 for it with a key, forwarded with X-Consumer-Id ${id} and the Authorization unchanged; saw ${alone.status}, ${keyed.status}, upstream ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(alone.status).toBe(401);
        expect(alone.headers.get("www-authenticate")).toBeTruthy();
        expect(keyed.status).toBe(200);
        expect(forwarded).toHaveLength(1);
        expect(forwarded[0]?.["x-consumer-id"]).toBe(String(id));
        expect(forwarded[0]?.authorization).toBe(authorization);
      },
    );
  });

  it("[R3.5] never stores an API key in a form that can be read back from the database", async () => {
    const apiKeys = [key(), key(), key()];
    for (const [i, apiKey] of apiKeys.entries()) {
      await createConsumer({
        name: `stored-${i}`,
        apiKey,
        routes: ["orders"],
        rateLimit: 1000,
      });
    }

    const { rows: tables } = await services.pg.query<{ name: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    let dump = "";
    for (const { name } of tables) {
      const { rows } = await services.pg.query(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
      dump += rows.map((r: { row: string }) => r.row).join("\n");
    }
    const encodings = apiKeys.flatMap((k) => [
      k,
      Buffer.from(k).toString("hex"),
      Buffer.from(k).toString("base64"),
    ]);
    const found = encodings.filter((e) => dump.includes(e));

    because(
      `expected no table to hold an API key as text, hex or base64 (found ${found.length}); store a hash ${seed}`,
      () => {
        expect(tables.length).toBeGreaterThan(0);
        expect(found).toEqual([]);
      },
    );
  });
});
