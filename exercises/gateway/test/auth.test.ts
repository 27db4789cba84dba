import { manualClock, useLearner, useServices } from "@backend-sandbox/testkit";
import { bearer } from "#support/bearer";
import { bearerError } from "#support/bearer-error";
import { consumers } from "#support/consumers";
import { base64url, jwt } from "#support/jwt";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
beforeAll(() => migrate());

describe("auth", () => {
  it("[R3.1, R3.2, R3.3] forwards a request with a valid X-Api-Key, 401 without, 403 for a route not allowed", async () => {
    await createConsumer({
      name: "shop-web",
      apiKey: "key-web-1234567890",
      routes: ["orders"],
      rateLimit: 100,
    });
    const orders = await startUpstream("orders");
    const users = await startUpstream("users");
    const { url } = await servePrivateRoutes(learner, services, [orders, users]);

    const withKey = await send(url, "/orders/7", {
      headers: { "x-api-key": "key-web-1234567890" },
    });
    const withoutKey = await send(url, "/orders/7");
    const notAllowed = await send(url, "/users/7", {
      headers: { "x-api-key": "key-web-1234567890" },
    });

    expect(withKey.status).toBe(200);
    expect(withoutKey.status).toBe(401);
    expect(withoutKey.headers.get("www-authenticate")).toBeTruthy();
    expect(notAllowed.status).toBe(403);
    expect(orders.received).toHaveLength(1);
    expect(users.received).toHaveLength(0);
  });

  it("[R3.6, R3.8, R3.10] forwards a request with a valid HS256 bearer token as its consumer and refuses alg: none", async () => {
    const { id } = await createConsumer({
      name: "shop-app",
      apiKey: "key-app-1234567890",
      routes: ["orders"],
      rateLimit: 100,
    });
    const orders = await startUpstream("orders");
    const clock = manualClock();
    const secret = "a-secret-of-32-bytes-or-more-0123";
    const { url } = await servePrivateRoutes(learner, services, [orders], {
      jwt: { secret },
      now: clock.now,
    });
    const claims = { sub: id, exp: clock.now() / 1000 + 300 };
    const unsigned = `${base64url(JSON.stringify({ alg: "none" }))}.${base64url(JSON.stringify(claims))}.`;

    const valid = await send(url, "/orders/7", { headers: bearer(jwt(secret, claims)) });
    const none = await send(url, "/orders/7", { headers: bearer(unsigned) });

    expect(valid.status).toBe(200);
    expect(orders.received[0]!.headers["x-consumer-id"]).toBe(id);
    expect(none.status).toBe(401);
    expect(bearerError(none)).toBe("invalid_token"); // WWW-Authenticate: Bearer error="invalid_token"
    expect(orders.received).toHaveLength(1);
  });
});
