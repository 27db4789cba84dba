import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { newPassword, signUp } from "#support/accounts";
import { startAuthApp, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

describe("password-reset", () => {
  it("[R5.1, R5.3] mails a token that sets a new password once", async () => {
    const account = await signUp(app.url, random);
    const browser = new Browser(app.url);
    const requested = await browser.post("/password-reset", { email: account.email });
    const mail = app.mails.find((m) => m.email === account.email);
    because(
      `expected 202 {} and one sendResetEmail call for ${account.email}; got ${requested.status} ${requested.text}, mails ${JSON.stringify(app.mails)}`,
      () => {
        expect(requested.status).toBe(202);
        expect(requested.body).toEqual({});
        expect(mail?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      },
    );
    const password = newPassword(random);
    const confirmed = await browser.post("/password-reset/confirm", {
      token: mail!.token,
      password,
    });
    expect(confirmed.status).toBe(204);
    expect((await browser.login(account.email, password)).status).toBe(200);
    const again = await browser.post("/password-reset/confirm", {
      token: mail!.token,
      password: newPassword(random),
    });
    because(
      `expected the token refused the second time with 400 invalid_token; got ${again.status} ${again.text}`,
      () => {
        expect(again.status).toBe(400);
        expect(again.body).toEqual({ error: "invalid_token" });
      },
    );
  });
});
