import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { newEmail, newPassword } from "#support/accounts";
import { startAuthApp, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

describe("passwords", () => {
  it("[R1.1, R1.6] signs up, then logs in with the same email in other letter case", async () => {
    const email = newEmail(random);
    const password = newPassword(random);
    const browser = new Browser(app.url);
    const signedUp = await browser.post("/signup", { email: email.toUpperCase(), password });
    because(
      `expected POST /signup to answer 201 {id, email} with the email lower-cased; got ${signedUp.status} ${signedUp.text}`,
      () => {
        expect(signedUp.status).toBe(201);
        expect(signedUp.body).toEqual(expect.objectContaining({ id: expect.any(String), email }));
      },
    );
    const login = await browser.login(email, password);
    because(
      `expected POST /login to answer 200 with the account; got ${login.status} ${login.text}`,
      () => {
        expect(login.status).toBe(200);
        expect(login.body).toEqual(expect.objectContaining({ id: signedUp.body.id, email }));
      },
    );
  });

  it("[R1.4, R1.6] refuses a breached password, and a wrong password with 401", async () => {
    const email = newEmail(random);
    const browser = new Browser(app.url);
    const breached = await browser.post("/signup", { email, password: "Password1" });
    because(
      `expected "Password1" (on the breached list) refused with 400 password_breached; got ${breached.status} ${breached.text}`,
      () => {
        expect(breached.status).toBe(400);
        expect(breached.body).toEqual({ error: "password_breached" });
      },
    );
    expect(
      (await browser.post("/signup", { email, password: "plain lowercase words" })).status,
    ).toBe(201);
    const wrong = await browser.login(email, "another lowercase phrase");
    because(
      `expected a wrong password answered 401 invalid_credentials; got ${wrong.status} ${wrong.text}`,
      () => {
        expect(wrong.status).toBe(401);
        expect(wrong.body).toEqual({ error: "invalid_credentials" });
      },
    );
  });
});
