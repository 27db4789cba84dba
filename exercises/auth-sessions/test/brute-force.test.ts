import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { signUp } from "#support/accounts";
import { startAuthApp, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

describe("brute-force", () => {
  it("[R3.1] locks an account for 15 minutes after 5 failed logins: 429 with Retry-After, even for the right password", async () => {
    const account = await signUp(app.url, random);
    const browser = new Browser(app.url, "198.51.100.7");
    for (let i = 1; i <= 5; i++)
      expect((await browser.login(account.email, `wrong guess ${i}`)).status).toBe(401);
    const locked = await browser.login(account.email, account.password);
    because(
      `expected the 6th login (right password) answered 429 too_many_attempts with Retry-After: 900; got ${locked.status} ${locked.text} Retry-After: ${locked.headers.get("retry-after")}`,
      () => {
        expect(locked.status).toBe(429);
        expect(locked.body).toEqual({ error: "too_many_attempts" });
        expect(locked.headers.get("retry-after")).toBe("900");
      },
    );
    app.clock.advance(15 * 60_000);
    const after = await browser.login(account.email, account.password);
    because(
      `expected the right password accepted once the 15 minutes are over; got ${after.status} ${after.text}`,
      () => expect(after.status).toBe(200),
    );
  });
});
