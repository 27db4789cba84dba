import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { loggedIn, newEmail, newPassword, signUp } from "#support/accounts";
import { ORIGIN, startAuthApp, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
// Counts the app's calls of timingSafeEqual and randomBytes from before its code loads, so code
// that takes them out of node:crypto at load is counted too.
const learner = useLearner({
  watch: [
    ["node:crypto", "timingSafeEqual"],
    ["node:crypto", "randomBytes"],
  ],
});
const random = seededRandom();
const seed = `(seed ${random.seed})`;
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

const FOREIGN_ORIGINS = [
  "https://evil.example",
  "null",
  "http://app.example.test",
  "https://app.example.test.evil.example",
  "https://app.example.test:8443",
  `${ORIGIN}/`,
];

async function expectAlive(browser: Browser, what: string) {
  const me = await browser.get("/me");
  because(
    `expected the session alive after ${what}; GET /me got ${me.status} ${me.text} ${seed}`,
    () => expect(me.status).toBe(200),
  );
}

function expectCsrf(reply: { status: number; text: string; body: unknown }, what: string) {
  because(
    `expected ${what} answered 403 {"error":"csrf"}; got ${reply.status} ${reply.text} ${seed}`,
    () => {
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ error: "csrf" });
    },
  );
}

describe("csrf", () => {
  it("[R4.1] refuses sign-up and login from another origin or without Origin, and does nothing", async () => {
    const account = await signUp(app.url, random);
    for (const origin of [...FOREIGN_ORIGINS, undefined]) {
      const headers: Record<string, string> = origin === undefined ? {} : { origin };
      const browser = new Browser(app.url);
      if (origin === undefined) browser.origin = undefined;
      const email = newEmail(random);
      expectCsrf(
        await browser.send("POST", "/signup", { email, password: newPassword(random) }, headers),
        `a sign-up with Origin ${origin}`,
      );
      const { rows } = await services.pg.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
      because(`expected no account made by a refused sign-up (Origin ${origin})`, () =>
        expect(rows).toEqual([]),
      );
      expectCsrf(
        await browser.send(
          "POST",
          "/login",
          { email: account.email, password: account.password },
          headers,
        ),
        `a login with Origin ${origin}`,
      );
      because(
        `expected no session cookie for a refused login (Origin ${origin}); got ${browser.lastSetCookie}`,
        () => expect(browser.sid).toBeUndefined(),
      );
    }
  });

  it("[R4.1] refuses a logout from another origin even with the right token, and the session stays", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    for (const origin of FOREIGN_ORIGINS) {
      expectCsrf(
        await browser.send("POST", "/logout", {}, { origin }),
        `a logout with Origin ${origin} and the right token`,
      );
      await expectAlive(browser, `a logout from ${origin}`);
    }
  });

  it("[R4.1] checks no Origin on GET: a navigation without one reads the session as usual", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    browser.origin = undefined;
    const me = await browser.get("/me");
    const anonymous = new Browser(app.url);
    anonymous.origin = undefined;
    const signedOut = await anonymous.get("/me");
    const unknown = await anonymous.get("/logout");
    because(
      `expected GETs without Origin answered as with it: GET /me 200 with a session, 401 unauthenticated without, GET /logout 404 not_found; got ${me.status} ${me.text}, ${signedOut.status} ${signedOut.text}, ${unknown.status} ${unknown.text} ${seed}`,
      () => {
        expect(me.status).toBe(200);
        expect(signedOut.body).toEqual({ error: "unauthenticated" });
        expect(unknown.body).toEqual({ error: "not_found" });
      },
    );
  });

  it("[R4.1] refuses a PATCH as the other state changes: from another origin or without Origin", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    expectCsrf(
      await browser.send("PATCH", "/me", { role: "admin" }, { origin: "https://evil.example" }),
      "PATCH /me from another origin",
    );
    const bare = Object.assign(new Browser(app.url), { origin: undefined });
    expectCsrf(await bare.send("PATCH", "/logout", {}), "PATCH /logout without Origin");
    await expectAlive(browser, "refused PATCH requests");
  });

  it("[R4.2] gives each session a token of its own, in the login's body and from GET /me", async () => {
    const account = await signUp(app.url, random);
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const browser = await loggedIn(app.url, account);
      const fromLogin = browser.csrfToken;
      const me = await browser.get("/me");
      because(
        `expected csrfToken of 43 base64url characters in the login's body and the same from GET /me; got ${fromLogin} and ${me.body?.csrfToken}`,
        () => {
          expect(fromLogin).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(me.body.csrfToken).toBe(fromLogin);
        },
      );
      tokens.add(fromLogin!);
    }
    because(`expected 5 sessions to have 5 different tokens; got ${tokens.size}`, () =>
      expect(tokens.size).toBe(5),
    );
  });

  it("[R2.1, R4.2] draws the session id and the CSRF token from two calls of crypto.randomBytes", async () => {
    const account = await signUp(app.url, random);
    const before = await learner.calls("node:crypto", "randomBytes");
    await loggedIn(app.url, account);
    const calls = (await learner.calls("node:crypto", "randomBytes")) - before;
    because(
      `expected a login to call node:crypto's randomBytes once for the session id and once for the CSRF token; calls seen: ${calls} ${seed}`,
      () => expect(calls).toBeGreaterThanOrEqual(2),
    );
  });

  it("[R4.2] takes the token from X-CSRF-Token only, never from the query string or the body", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const token = browser.csrfToken!;
    browser.csrfToken = undefined;
    for (const name of ["csrf", "csrfToken", "_csrf", "csrf_token", "x-csrf-token"]) {
      expectCsrf(
        await browser.send("POST", `/logout?${name}=${token}`, {
          csrfToken: token,
          _csrf: token,
          [name]: token,
        }),
        `a logout with the token as ?${name}= and in the body, not in X-CSRF-Token`,
      );
    }
    browser.csrfToken = token;
    await expectAlive(browser, "logouts with the token in the query string or the body");
  });

  it("[R4.2] refuses a state change without the session's own token: none, wrong, another session's", async () => {
    const account = await signUp(app.url, random);
    const victim = await loggedIn(app.url, account);
    const attacker = await loggedIn(app.url, await signUp(app.url, random));
    const right = victim.csrfToken!;
    const flipped = right.slice(0, -1) + (right.endsWith("A") ? "B" : "A");
    const tries: Record<string, string> = {
      "no token": "",
      "a token with its last character changed": flipped,
      "the attacker's own session's token": attacker.csrfToken!,
      "a token too long": right + "A",
      "a token cut short": right.slice(0, 20),
    };
    for (const [what, token] of Object.entries(tries)) {
      expectCsrf(
        await victim.send("POST", "/logout", {}, { "x-csrf-token": token }),
        `a logout with ${what}`,
      );
      await expectAlive(victim, `a logout with ${what}`);
    }
    expect((await victim.post("/logout")).status).toBe(204);
  });

  it("[R4.1, R4.2] checks Origin, then the session, then the token", async () => {
    const anonymous = new Browser(app.url);
    expectCsrf(
      await anonymous.send("POST", "/logout", {}, { origin: "https://evil.example" }),
      "a logout from another origin without a session",
    );
    const noSession = await anonymous.post("/logout");
    because(
      `expected a logout without a session (right Origin, no token) answered 401 unauthenticated; got ${noSession.status} ${noSession.text}`,
      () => {
        expect(noSession.status).toBe(401);
        expect(noSession.body).toEqual({ error: "unauthenticated" });
      },
    );
  });

  it("[R4.3] changes nothing on GET: GET /logout, /signup and /login answer 404", async () => {
    const account = await signUp(app.url, random);
    const browser = await loggedIn(app.url, account);
    const email = newEmail(random);
    for (const path of [
      "/logout",
      `/signup?email=${email}&password=long+enough+password`,
      `/login?email=${account.email}&password=x`,
    ]) {
      const reply = await browser.get(path);
      because(
        `expected GET ${path} answered 404 not_found; got ${reply.status} ${reply.text}`,
        () => {
          expect(reply.status).toBe(404);
          expect(reply.body).toEqual({ error: "not_found" });
        },
      );
    }
    await expectAlive(browser, "GET /logout");
    const { rows } = await services.pg.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
    expect(rows).toEqual([]);
  });

  it("[R4.4] compares CSRF tokens with timingSafeEqual", async () => {
    // Counted in the app's own process: a comparison with === or !== calls nothing there.
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const right = browser.csrfToken!;
    const forged = (right.startsWith("A") ? "B" : "A") + right.slice(1); // same length, first character wrong
    const before = await learner.calls("node:crypto", "timingSafeEqual");
    const refused = await browser.send("POST", "/logout", {}, { "x-csrf-token": forged });
    const counted = (await learner.calls("node:crypto", "timingSafeEqual")) - before;
    because(
      `expected a forged token of the right length refused (403) after a crypto.timingSafeEqual comparison; got ${refused.status}, ${counted} calls ${seed}`,
      () => {
        expect(refused.status).toBe(403);
        expect(counted).toBeGreaterThanOrEqual(1);
      },
    );
    await expectAlive(browser, "a logout with a forged token");
  });
});
