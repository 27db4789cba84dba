import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { bearer } from "#support/bearer";
import { consumers } from "#support/consumers";
import { base64url, jwt, signSegments } from "#support/jwt";
import { jwtSetup } from "#support/jwt-setup";
import { ordersConsumer } from "#support/orders-consumer";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const store = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const { secret, clock } = jwtSetup(random);
let url: string;
let sub: string;

beforeAll(async () => {
  await store.migrate();
  const orders = await startUpstream("orders");
  sub = await ordersConsumer(store, random, "app");
  ({ url } = await servePrivateRoutes(learner, services, [orders], {
    jwt: { secret, leewaySeconds: 0 },
    now: clock.now,
  }));
});

describe("auth: why a token was refused", () => {
  it("[R1.6, R3.7] says why in each refusal's detail, naming a claim that is missing or not of its type", async () => {
    const now = clock.now() / 1000;
    const valid = jwt(secret, { sub, exp: now + 3600 });
    const [header64 = "", payload64 = ""] = valid.split(".");
    // Each token is refused for one reason; `claim` is the claim its detail must name.
    const tokens: { what: string; token: string; claim?: string }[] = [
      { what: "two segments", token: `${header64}.${payload64}` },
      { what: "alg none", token: jwt(secret, { sub, exp: now + 60 }, { alg: "none" }) },
      {
        what: "a crit header",
        token: jwt(secret, { sub, exp: now + 60 }, { alg: "HS256", crit: ["x"] }),
      },
      { what: "another secret", token: jwt(`${secret}x`, { sub, exp: now + 60 }) },
      { what: "a padded header", token: signSegments(secret, `${header64}=`, payload64) },
      {
        what: "a header that is not JSON",
        token: signSegments(secret, base64url("{alg"), payload64),
      },
      {
        what: "a header that is an array",
        token: signSegments(secret, base64url("[]"), payload64),
      },
      { what: "no exp", token: jwt(secret, { sub }), claim: "exp" },
      { what: "exp a string", token: jwt(secret, { sub, exp: String(now + 60) }), claim: "exp" },
      { what: "nbf a string", token: jwt(secret, { sub, exp: now + 60, nbf: "0" }), claim: "nbf" },
      { what: "expired", token: jwt(secret, { sub, exp: now - 1 }) },
      { what: "not yet valid", token: jwt(secret, { sub, exp: now + 120, nbf: now + 60 }) },
      { what: "no sub", token: jwt(secret, { exp: now + 60 }), claim: "sub" },
      {
        what: "a sub that names no consumer",
        token: jwt(secret, { sub: String(random.int(1e9, 9e9)), exp: now + 60 }),
      },
    ];

    for (const { what, token, claim } of tokens) {
      const answer = await send(url, "/orders/1", { headers: bearer(token) });
      expectProblem(answer, 401, `a token with ${what} ${seed}`);
      if (claim)
        because(
          `expected the detail of the 401 for a token with ${what} to name ${claim}; got "${String(answer.body?.detail)}" ${seed}`,
          () => expect(String(answer.body?.detail)).toContain(claim),
        );
    }
  });
});
