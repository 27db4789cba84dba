import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import type { JwtOptions } from "#src/types";
import { bearer } from "#support/bearer";
import { consumers } from "#support/consumers";
import { jwt } from "#support/jwt";
import { jwtSetup } from "#support/jwt-setup";
import { notRefused } from "#support/not-refused";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream } from "#support/upstream";

// Every time here comes from a manual clock the gateway reads through `now`: nothing sleeps.
const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
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
  await migrate();
  const orders = await startUpstream("orders");
  const app = {
    name: "app",
    apiKey: `sk_${random.token(32)}`,
    routes: ["orders"],
    rateLimit: 10_000,
  };
  ({ id: sub } = await createConsumer(app));
  const serve = (jwt: JwtOptions) =>
    servePrivateRoutes(learner, services, [orders], { jwt, now: clock.now });
  byDefault = (await serve({ secret })).url;
  strict = (await serve({ secret, leewaySeconds: 0 })).url;
  custom = (await serve({ secret, leewaySeconds: leeway })).url;
});

describe("auth: JWT exp, nbf and leeway", () => {
  it("[R3.13] requires exp and refuses a token from the second it expires (leeway 0)", async () => {
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

  it("[R3.13] refuses a token before its nbf, and accepts the same token from nbf on (leeway 0)", async () => {
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

  it("[R3.13, R3.15] allows 30 s of clock skew on exp and nbf by default, no more", async () => {
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

  it("[R3.13, R3.15] uses the configured leeway", async () => {
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

  it("[R3.12] refuses exp and nbf that are not NumericDate seconds, and accepts the bounds 0 and just under 10^10", async () => {
    const hour = Math.floor(now()) + 3600;
    const wrong = await notRefused(byDefault, "/orders/1", {
      "exp in milliseconds": token({ exp: hour * 1000 }),
      "exp as a string": token({ exp: String(hour) }),
      "exp null": token({ exp: null }),
      "exp true": token({ exp: true }),
      "nbf in milliseconds": token({ nbf: clock.now() - 60_000, exp: hour }),
      "nbf as a string": token({ nbf: String(Math.floor(now()) - 60), exp: hour }),
      "nbf negative": token({ nbf: -1, exp: hour }),
      "nbf -0.5": token({ nbf: -0.5, exp: hour }),
      "exp 10^10": token({ exp: 1e10 }),
      "exp 10^10 + 1": token({ exp: 1e10 + 1 }),
      "nbf 10^10": token({ nbf: 1e10, exp: hour }),
    });
    const bounds = await statuses(byDefault, [
      token({ nbf: 0, exp: hour }),
      token({ exp: 1e10 - 1 }),
      token({ exp: 1e10 - 0.001 }),
    ]);

    because(
      `expected 401 + Bearer error="invalid_token"; not so for: ${wrong.join("; ")} ${seed}`,
      () => {
        expect(wrong).toEqual([]);
      },
    );
    because(
      `expected nbf = 0 and exp = 10^10 - 1 s and - 1 ms (the NumericDate bounds, inside) to pass: saw ${bounds.join(", ")} ${seed}`,
      () => {
        expect(bounds).toEqual([200, 200, 200]);
      },
    );
  });

  it("[R3.13] reads the time from Date.now when now is left out", async () => {
    const orders = await startUpstream("orders");
    const { url } = await servePrivateRoutes(learner, services, [orders], { jwt: { secret } });
    const real = () => Date.now() / 1000;

    const seen = await statuses(url, [
      token({ exp: real() + 300 }),
      token({ exp: real() - 120 }),
      token({ nbf: real() + 600, exp: real() + 900 }),
    ]);

    because(
      `expected, by the real clock, 200 for exp in 5 min, 401 for exp 2 min ago and 401 for nbf in 10 min: saw ${seen.join(", ")} ${seed}`,
      () => {
        expect(seen).toEqual([200, 401, 401]);
      },
    );
  });
});
