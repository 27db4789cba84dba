import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { loggedIn, signUp } from "#support/accounts";
import { startAuthApp, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

describe("sessions", () => {
  it("[R2.1, R2.2] logs in with an HttpOnly, Secure, SameSite session cookie that GET /me accepts", async () => {
    const account = await signUp(app.url, random);
    const browser = await loggedIn(app.url, account);
    because(
      `expected Set-Cookie: sid=<43 base64url characters>; Path=/; HttpOnly; Secure; SameSite=Lax; got ${browser.lastSetCookie}`,
      () => {
        expect(browser.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(browser.lastSetCookie).toMatch(/;\s*HttpOnly/i);
        expect(browser.lastSetCookie).toMatch(/;\s*Secure/i);
        expect(browser.lastSetCookie).toMatch(/;\s*SameSite=Lax/i);
        expect(browser.lastSetCookie).toMatch(/;\s*Path=\//i);
      },
    );
    const me = await browser.get("/me");
    because(
      `expected GET /me with the cookie to answer 200 with the account; got ${me.status} ${me.text}`,
      () => {
        expect(me.status).toBe(200);
        expect(me.body).toEqual(expect.objectContaining({ id: account.id, email: account.email }));
      },
    );
  });

  it("[R2.2, R2.6] logs out on the server: the old cookie, replayed, is refused", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const stolen = Object.assign(new Browser(app.url), {
      sid: browser.sid,
      csrfToken: browser.csrfToken,
    });
    const logout = await browser.post("/logout");
    expect(logout.status).toBe(204);
    const replay = await stolen.get("/me");
    because(
      `expected the cookie replayed after logout answered 401 unauthenticated; got ${replay.status} ${replay.text}`,
      () => {
        expect(replay.status).toBe(401);
        expect(replay.body).toEqual({ error: "unauthenticated" });
      },
    );
  });
});
