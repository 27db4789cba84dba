import { randomBytes } from "node:crypto";
import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { loggedIn, signUp } from "#support/accounts";
import { startAuthApp, startMoreInstances, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
// Counts the app's calls of randomBytes from its start (R2.1 pins the ids' source).
const learner = useLearner({ watch: [["node:crypto", "randomBytes"]] });
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const MINUTE = 60_000;
let app: AuthApp;
let others: string[];
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
  others = await startMoreInstances(services, app, 2);
});

const copyOf = (browser: Browser, url = browser.url) =>
  Object.assign(new Browser(url), { sid: browser.sid, csrfToken: browser.csrfToken });

async function expectSignedOut(browser: Browser, what: string) {
  const me = await browser.get("/me");
  because(
    `expected ${what}: GET /me answered 401 unauthenticated; got ${me.status} ${me.text} ${seed}`,
    () => {
      expect(me.status).toBe(401);
      expect(me.body).toEqual({ error: "unauthenticated" });
    },
  );
}

async function expectSignedIn(browser: Browser, what: string) {
  const me = await browser.get("/me");
  because(`expected ${what}: GET /me answered 200; got ${me.status} ${me.text} ${seed}`, () =>
    expect(me.status).toBe(200),
  );
}

describe("sessions", () => {
  it("[R2.1] sets sid as a session cookie: 256 random bits, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain or expiry", async () => {
    const account = await signUp(app.url, random);
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const browser = await loggedIn(app.url, account);
      const attributes = browser
        .lastSetCookie!.split(";")
        .slice(1)
        .map((a) => a.trim().toLowerCase().split("=")[0])
        .sort();
      because(
        `expected sid=<43 base64url characters> with exactly the attributes httponly, path, samesite, secure; got ${browser.lastSetCookie}`,
        () => {
          expect(browser.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(attributes).toEqual(["httponly", "path", "samesite", "secure"]);
          expect(browser.lastSetCookie).toMatch(/;\s*SameSite=Lax\s*(;|$)/i);
          expect(browser.lastSetCookie).toMatch(/;\s*Path=\/\s*(;|$)/i);
        },
      );
      ids.add(browser.sid!);
    }
    because(`expected 12 logins to give 12 different session ids; got ${ids.size}`, () =>
      expect(ids.size).toBe(12),
    );
  });

  it("[R2.1] draws each session id from crypto.randomBytes and never puts it in a body", async () => {
    const account = await signUp(app.url, random);
    const before = await learner.calls("node:crypto", "randomBytes");
    const browser = new Browser(app.url);
    const login = await browser.login(account.email, account.password);
    const calls = (await learner.calls("node:crypto", "randomBytes")) - before;
    const me = await browser.get("/me");
    because(
      `expected the login to call node:crypto's randomBytes for the id (calls seen: ${calls}), and neither the login's body nor GET /me's to contain the id ${browser.sid}; got ${login.text} and ${me.text} ${seed}`,
      () => {
        expect(login.status).toBe(200);
        expect(calls).toBeGreaterThanOrEqual(1);
        expect(login.text).not.toContain(browser.sid);
        expect(me.text).not.toContain(browser.sid);
      },
    );
  });

  it("[R2.2] answers 401 unauthenticated without a cookie, for an unknown id and for malformed ones", async () => {
    const cookies = [
      undefined,
      "",
      randomBytes(32).toString("base64url"),
      "x".repeat(5000),
      "../../etc/passwd",
      "a;b",
      "%00",
    ];
    for (const sid of cookies) {
      const browser = Object.assign(new Browser(app.url), { sid });
      await expectSignedOut(browser, `with sid=${JSON.stringify(sid?.slice(0, 60))}`);
    }
  });

  it("[R2.2] reads sid among the other cookies of the Cookie header, and nothing else as it", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const sid = browser.sid!;
    const withCookie = async (cookie: string) =>
      (await new Browser(app.url).send("GET", "/me", undefined, { cookie })).status;
    const among = [`theme=dark; sid=${sid}`, `theme=dark;sid=${sid}; lang=en`, `sid=${sid}; a=b`];
    const altered = [
      `sid=${sid.slice(0, 20)}=${sid.slice(20)}`,
      `sid=${sid}=`,
      `sid=x${sid}`,
      `xsid=${sid}`,
      `theme=${sid}`,
    ];
    const seen = {
      among: await Promise.all(among.map(withCookie)),
      altered: await Promise.all(altered.map(withCookie)),
    };
    because(
      `expected GET /me to answer 200 for ${JSON.stringify(among)} (sid among other cookies) and 401 for ${JSON.stringify(altered)} (no live id in sid); got ${JSON.stringify(seen)} ${seed}`,
      () => {
        expect(seen.among).toEqual([200, 200, 200]);
        expect(seen.altered).toEqual([401, 401, 401, 401, 401]);
      },
    );
  });

  it("[R2.2] ends the sessions of a user who no longer exists", async () => {
    const account = await signUp(app.url, random);
    const browser = await loggedIn(app.url, account);
    await expectSignedIn(browser, "a fresh session to be live");
    await services.pg.query(`DELETE FROM users WHERE id = $1`, [account.id]);
    await expectSignedOut(browser, "the session of a user deleted from the database to be over");
  });

  it("[R2.3] keeps sessions in Redis: a login on one instance is signed in on every other, a logout ends it everywhere", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    await expectSignedIn(browser, "the session to work on the instance that made it");
    for (const url of others)
      await expectSignedIn(
        copyOf(browser, url),
        `the session made on one instance to work on another (${url})`,
      );
    const logout = await copyOf(browser, others[1]).post("/logout");
    expect(logout.status).toBe(204);
    for (const url of [app.url, ...others])
      await expectSignedOut(
        copyOf(browser, url),
        `a logout on the third instance to end the session on ${url}, which had used it (no copy kept by an instance)`,
      );
  });

  it("[R2.4] ends a session unused for 30 minutes, each request counting as a use", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    app.clock.advance(29 * MINUTE);
    await expectSignedIn(browser, "a session used again after 29 minutes to be alive");
    app.clock.advance(29 * MINUTE);
    await expectSignedIn(
      copyOf(browser, others[0]),
      "a session used 29 minutes after its last use to be alive (on another instance)",
    );
    app.clock.advance(30 * MINUTE);
    await expectSignedOut(browser, "a session unused for exactly 30 minutes to be over");
    app.clock.advance(-30 * MINUTE);
    await expectSignedOut(browser, "an ended session to stay ended, even when the clock goes back");
    app.clock.advance(30 * MINUTE);
  });

  it("[R2.4] ends a session 8 hours after login however busy it is", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    for (let minutes = 20; minutes < 8 * 60; minutes += 20) {
      app.clock.advance(20 * MINUTE);
      await expectSignedIn(browser, `a busy session to be alive ${minutes} minutes after login`);
    }
    app.clock.advance(20 * MINUTE);
    await expectSignedOut(
      browser,
      "a session used every 20 minutes to be over 8 hours after login",
    );
  });

  it("[R2.5] never keeps a session id the client brought to login (session fixation)", async () => {
    const attacker = await loggedIn(app.url, await signUp(app.url, random));
    const victim = await signUp(app.url, random);
    const planted = attacker.sid!;
    const browser = Object.assign(new Browser(app.url), {
      sid: planted,
      csrfToken: attacker.csrfToken,
    });
    const login = await browser.login(victim.email, victim.password);
    because(
      `expected the victim's login to answer 200 and set a new id, not the planted ${planted}; got ${login.status}, sid=${browser.sid}`,
      () => {
        expect(login.status).toBe(200);
        expect(browser.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(browser.sid).not.toBe(planted);
      },
    );
    const asAttacker = await Object.assign(new Browser(app.url), { sid: planted }).get("/me");
    because(
      `expected the planted id not to be signed in as the victim (401 after the login ended it); got ${asAttacker.status} ${asAttacker.text}`,
      () => expect(asAttacker.status).toBe(401),
    );
    const chosen = randomBytes(32).toString("base64url");
    const second = Object.assign(new Browser(app.url), { sid: chosen });
    expect((await second.login(victim.email, victim.password)).status).toBe(200);
    because(
      `expected an id the client made up (${chosen}) to be replaced; got sid=${second.sid}`,
      () => expect(second.sid).not.toBe(chosen),
    );
    await expectSignedOut(
      Object.assign(new Browser(app.url), { sid: chosen }),
      "a made-up id never to become a session",
    );
  });

  it("[R2.6] logs out with 204, deletes the session in Redis and clears the cookie with Max-Age=0 and R2.1's attributes", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const stolen = copyOf(browser);
    const keysBefore = await services.redis.dbsize();
    const logout = await browser.post("/logout");
    const cleared = logout.headers.getSetCookie().find((c) => /^sid=/i.test(c)) ?? "";
    const attributes = cleared
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase().split("=")[0])
      .sort();
    because(
      `expected POST /logout to answer 204 with Set-Cookie sid=; Max-Age=0 and R2.1's attributes (Path=/; HttpOnly; Secure; SameSite=Lax); got ${logout.status} ${logout.headers.getSetCookie()}`,
      () => {
        expect(logout.status).toBe(204);
        expect(cleared).toMatch(/^sid=;.*max-age=0/im);
        expect(attributes).toEqual(
          expect.arrayContaining(["httponly", "max-age", "path", "samesite", "secure"]),
        );
        expect(attributes).not.toContain("domain");
        expect(cleared).toMatch(/;\s*SameSite=Lax\s*(;|$)/i);
        expect(cleared).toMatch(/;\s*Path=\/\s*(;|$)/i);
      },
    );
    await expectSignedOut(stolen, "a stolen cookie replayed after logout to be refused");
    expect(await services.redis.dbsize()).toBeLessThan(keysBefore);
    const again = await stolen.post("/logout");
    because(`expected a second logout with the old cookie answered 401; got ${again.status}`, () =>
      expect(again.status).toBe(401),
    );
  });
});
