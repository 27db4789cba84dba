import {
  because,
  PROBLEM_JSON,
  RemoteError,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type { JwtOptions } from "#src/types";
import { bearer } from "#support/bearer";
import { consumers } from "#support/consumers";
import { bearerError } from "#support/bearer-error";
import { jwt } from "#support/jwt";
import { jwtSetup } from "#support/jwt-setup";
import { notRefused } from "#support/not-refused";
import { ordersConsumer } from "#support/orders-consumer";
import { send, type RawReply } from "#support/send";
import { createGateway } from "#support/serve-gateway";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream, type Upstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const store = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const { secret, clock } = jwtSetup(random);
let orders: Upstream;
let users: Upstream;
let url: string;
let id: string; // a consumer that may call orders only

/** Claims valid for the next hour, for consumer `sub`. */
const claims = (sub = id) => ({ sub, exp: clock.now() / 1000 + 3600 });
const consumer = (name: string, apiKey?: string) => ordersConsumer(store, random, name, apiKey);

beforeAll(async () => {
  await store.migrate();
  orders = await startUpstream("orders");
  users = await startUpstream("users");
  id = await consumer("app");
  ({ url } = await servePrivateRoutes(learner, services, [orders, users], {
    jwt: { secret },
    now: clock.now,
  }));
});
beforeEach(() => {
  orders.received.length = 0;
  users.received.length = 0;
});

describe("auth: JWT bearer tokens", () => {
  it("[R3.6, R3.8] forwards a valid HS256 token's consumer as X-Consumer-Id, without the token or a forged id", async () => {
    const token = jwt(secret, claims());
    const forged = `forged-${random.token(6)}`;

    const answers = [
      await send(url, "/orders/1", { headers: { ...bearer(token), "x-consumer-id": forged } }),
      await send(url, "/orders/1", { headers: { authorization: `bearer ${token}` } }),
    ];

    const forwarded = orders.received.map((r) => r.headers);
    because(
      `expected 200 for "Bearer" and "bearer", with X-Consumer-Id ${id} and no Authorization upstream; saw ${answers.map((a) => a.status).join(", ")}, ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        expect(forwarded.map((h) => h["x-consumer-id"])).toEqual([id, id]);
        expect(forwarded.map((h) => h.authorization)).toEqual([undefined, undefined]);
      },
    );
  });

  it("[R3.6, R3.16] answers 401 with a Bearer challenge but no error code when no credentials come; API keys still work", async () => {
    const apiKey = `sk_${random.token(32)}`;
    await consumer("keyed", apiKey);

    const bare = await send(url, "/orders/1");
    const keyed = await send(url, "/orders/1", { headers: { "x-api-key": apiKey } });

    because(
      `expected 401 + WWW-Authenticate offering Bearer without error= (RFC 6750 §3.1), saw ${bare.status}, ${bare.headers.get("www-authenticate")}; and 200 with an API key, saw ${keyed.status}`,
      () => {
        expect(bare.status).toBe(401);
        expect(bare.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(bare.headers.get("www-authenticate")).toMatch(/\bBearer\b/i);
        expect(bearerError(bare)).toBeUndefined();
        expect(keyed.status).toBe(200);
      },
    );
  });

  it("[R3.7, R3.8, R3.14] answers 401 when sub names no consumer, and 403 insufficient_scope for a route not allowed", async () => {
    const wrong = await notRefused(url, "/orders/1", {
      "no sub": jwt(secret, { exp: claims().exp }),
      "an empty sub": jwt(secret, claims("")),
      "an unknown numeric sub": jwt(secret, claims(String(random.int(1e9, 9e9)))),
      "an unknown sub": jwt(secret, claims(random.token(12))),
      "sub ' OR '1'='1": jwt(secret, claims("' OR '1'='1")),
      "a sub that starts with the id": jwt(secret, claims(`${id}x`)),
      "a sub that is the id with a fraction": jwt(secret, claims(`${id}.0`)),
      "a sub that is the id with a leading zero": jwt(secret, claims(`0${id}`)),
    });
    const token = jwt(secret, claims());
    const denied = await send(url, "/users/1", { headers: bearer(token) });

    because(
      `expected 401 + Bearer error="invalid_token"; not so for: ${wrong.join("; ")} ${seed}`,
      () => expect(wrong).toEqual([]),
    );
    because(
      `expected 403 + Bearer error="insufficient_scope" on /users, not in the consumer's routes; saw ${denied.status}, ${denied.headers.get("www-authenticate")}`,
      () => {
        expect(denied.status).toBe(403);
        expect(denied.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(bearerError(denied)).toBe("insufficient_scope");
        expect(orders.received.length + users.received.length).toBe(0);
      },
    );
  });

  it("[R3.14] accepts a token whose sub is a consumer id of several characters", async () => {
    // Ids as createConsumer returns them; create consumers until one has two characters or more.
    let long = id;
    for (let i = 0; i < 20 && long.length < 2; i++) long = await consumer(`many-${i}`);
    const answer = await send(url, "/orders/1", { headers: bearer(jwt(secret, claims(long))) });

    const forwarded = orders.received.map((r) => r.headers["x-consumer-id"]);
    because(
      `expected 200 for a token with sub "${long}", forwarded as X-Consumer-Id ${long}; saw ${answer.status}, ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(long.length).toBeGreaterThan(1);
        expect(answer.status).toBe(200);
        expect(forwarded).toEqual([long]);
      },
    );
  });

  it("[R3.17] judges a request whose Authorization is not of the Bearer scheme by its key, and forwards that header unchanged", async () => {
    const apiKey = `sk_${random.token(32)}`;
    const keyed = await consumer("basic", apiKey);
    const schemes = [
      `Basic ${Buffer.from(`user:${random.token(8)}`).toString("base64")}`,
      `NotBearer ${random.token(16)}`,
      `Token kind=bearer`,
    ];

    const answers: RawReply[] = [];
    for (const authorization of schemes)
      answers.push(
        await send(url, "/orders/1", { headers: { authorization, "x-api-key": apiKey } }),
      );

    const forwarded = orders.received.map((r) => r.headers);
    because(
      `expected 200 for each key request with Authorization ${JSON.stringify(schemes)}, forwarded with X-Consumer-Id ${keyed} and that Authorization unchanged; saw ${answers.map((a) => a.status).join(", ")}, upstream ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(answers.map((a) => a.status)).toEqual(schemes.map(() => 200));
        expect(forwarded.map((h) => h["x-consumer-id"])).toEqual(schemes.map(() => keyed));
        expect(forwarded.map((h) => h.authorization)).toEqual(schemes);
      },
    );
  });

  it("[R3.15] refuses to start with a secret under 32 bytes (RFC 7518 §3.2) or a leeway outside 0 to 60 s", async () => {
    const options = { routes: [], upstreams: {} };
    // A throw inside createGateway comes back as a RemoteError; anything else is not a throw.
    const outcome = (jwt: JwtOptions) =>
      createGateway(learner, { ...options, jwt }).then(
        () => "started",
        (error: unknown) =>
          error instanceof RemoteError ? "threw" : `failed: ${(error as Error).message}`,
      );

    const refused = [
      await outcome({ secret: random.token(31) }),
      await outcome({ secret, leewaySeconds: 61 }),
      await outcome({ secret, leewaySeconds: -1 }),
    ];
    const fine = await outcome({ secret: random.token(32), leewaySeconds: 60 });

    because(
      `expected createGateway to throw for a 31-byte secret and for a leeway of 61 s or -1 s, and to start with 32 bytes and 60 s; saw ${refused.join(", ")}, then ${fine}`,
      () => {
        expect(refused).toEqual(["threw", "threw", "threw"]);
        expect(fine).toBe("started");
      },
    );
  });
});
