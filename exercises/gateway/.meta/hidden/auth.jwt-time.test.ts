import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { createConsumer, migrate } from "#src/consumers";
import { bearer, jwt, jwtSetup, notRefused } from "#support/jwt";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream } from "#support/upstream";

// Every time here comes from a manual clock the gateway reads through `now`: nothing sleeps.
const services = useServices();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const { secret, clock } = jwtSetup(random);
const leeway = random.int(1, 59);
// Three gateways: a leeway of 30 s (the default), of 0 and of `leeway` seconds.
let [byDefault, strict, custom] = ["", "", ""];
let sub: string;

/** The current time as a NumericDate: seconds since the epoch. */
const now = () => clock.now() / 1000;
const token = (claims: object) => jwt(secret, { sub, ...claims });
const expiringIn = (seconds: number) => token({ exp: now() + seconds });
const startingIn = (seconds: number) =>
  token({ nbf: now() + seconds, exp: now() + seconds + 3600 });

async function statuses(url: string, tokens: string[]): Promise<number[]> {
  const seen: number[] = [];
  for (const t of tokens) seen.push((await send(url, "/orders/1", { headers: bearer(t) })).status);
  return seen;
}

beforeAll(async () => {
  await migrate(services.pg);
  const orders = await startUpstream("orders");
  const app = {
    name: "app",
    apiKey: `sk_${random.token(32)}`,
    routes: ["orders"],
    rateLimit: 10_000,
  };
  ({ id: sub } = await createConsumer(services.pg, app));
  const options = {
    pg: services.pg,
    redis: services.redis,
    routes: [{ name: "orders", prefix: "/orders", upstream: "orders" }],
    upstreams: { orders: [orders.url] },
    now: clock.now,
  };
  byDefault = (await serveGateway({ ...options, jwt: { secret } })).url;
  strict = (await serveGateway({ ...options, jwt: { secret, leewaySeconds: 0 } })).url;
  custom = (await serveGateway({ ...options, jwt: { secret, leewaySeconds: leeway } })).url;
});

describe("auth: JWT exp, nbf and leeway", () => {
  it("requires exp and refuses a token from the second it expires (leeway 0)", async () => {
    const lifetime = random.int(2, 600);
    const expiring = expiringIn(lifetime);

    const fixed = await statuses(strict, [
      expiringIn(1),
      expiringIn(0.5),
      expiringIn(0),
      expiringIn(-1),
      token({}),
    ]);
    const seen = await statuses(strict, [expiring]);
    clock.advance((lifetime - 1) * 1000);
    seen.push(...(await statuses(strict, [expiring])));
    clock.advance(1000);
    seen.push(...(await statuses(strict, [expiring])));

    because(
      `expected exp = now + 1 s and + 0.5 s to pass; exp = now, now - 1 s and no exp to get 401: saw ${fixed.join(", ")} ${seed}`,
      () => {
        expect(fixed).toEqual([200, 200, 401, 401, 401]);
      },
    );
    because(
      `expected a token with exp = now + ${lifetime} s to pass until ${lifetime - 1} s later, then 401 at exp (now >= exp): saw ${seen.join(", ")} ${seed}`,
      () => {
        expect(seen).toEqual([200, 200, 401]);
      },
    );
  });

  it("refuses a token before its nbf, and accepts the same token from nbf on (leeway 0)", async () => {
    const wait = random.int(1, 600);
    const later = startingIn(wait);

    const seen = await statuses(strict, [later]);
    clock.advance((wait - 1) * 1000);
    seen.push(...(await statuses(strict, [later])));
    clock.advance(1000);
    seen.push(...(await statuses(strict, [later, startingIn(0)])));

    because(
      `expected 401 before nbf = now + ${wait} s and 1 s before it, then 200 at nbf: saw ${seen.join(", ")} ${seed}`,
      () => {
        expect(seen).toEqual([401, 401, 200, 200]);
      },
    );
  });

  it("allows 30 s of clock skew on exp and nbf by default, no more", async () => {
    const exp = await statuses(byDefault, [-10, -29, -30, -120].map(expiringIn));
    const nbf = await statuses(byDefault, [10, 30, 31, 120].map(startingIn));

    because(
      `expected exp = now - 10 s and - 29 s to pass, - 30 s and - 120 s to get 401: saw ${exp.join(", ")} ${seed}`,
      () => {
        expect(exp).toEqual([200, 200, 401, 401]);
      },
    );
    because(
      `expected nbf = now + 10 s and + 30 s to pass, + 31 s and + 120 s to get 401: saw ${nbf.join(", ")} ${seed}`,
      () => {
        expect(nbf).toEqual([200, 200, 401, 401]);
      },
    );
  });

  it("uses the configured leeway", async () => {
    const exp = await statuses(custom, [1 - leeway, -leeway].map(expiringIn));
    const nbf = await statuses(custom, [leeway, leeway + 1].map(startingIn));

    because(
      `expected with leewaySeconds ${leeway}: exp = now - ${leeway - 1} s passes, now - ${leeway} s gets 401 (saw ${exp.join(", ")}); nbf = now + ${leeway} s passes, + ${leeway + 1} s gets 401 (saw ${nbf.join(", ")}) ${seed}`,
      () => {
        expect(exp).toEqual([200, 401]);
        expect(nbf).toEqual([200, 401]);
      },
    );
  });

  it("refuses exp and nbf that are not NumericDate seconds", async () => {
    const hour = Math.floor(now()) + 3600;
    const wrong = await notRefused(byDefault, "/orders/1", {
      "exp in milliseconds": token({ exp: hour * 1000 }),
      "exp as a string": token({ exp: String(hour) }),
      "exp null": token({ exp: null }),
      "exp true": token({ exp: true }),
      "nbf in milliseconds": token({ nbf: clock.now() - 60_000, exp: hour }),
      "nbf as a string": token({ nbf: String(Math.floor(now()) - 60), exp: hour }),
    });

    because(
      `expected 401 + Bearer error="invalid_token"; not so for: ${wrong.join("; ")} ${seed}`,
      () => {
        expect(wrong).toEqual([]);
      },
    );
  });
});
