import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { loggedIn, signUp } from "#support/accounts";
import { startAuthApp, type AuthApp } from "#support/auth-app";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

describe("csrf", () => {
  it("[R4.1, R4.2] refuses a logout from another origin, or without the session's token", async () => {
    const browser = await loggedIn(app.url, await signUp(app.url, random));
    const evil = await browser.send("POST", "/logout", {}, { origin: "https://evil.example" });
    const tokenless = await browser.send("POST", "/logout", {}, { "x-csrf-token": "" });
    because(
      `expected both answered 403 {"error":"csrf"}; got another origin ${evil.status} ${evil.text}, no token ${tokenless.status} ${tokenless.text}`,
      () => {
        for (const reply of [evil, tokenless]) {
          expect(reply.status).toBe(403);
          expect(reply.body).toEqual({ error: "csrf" });
        }
      },
    );
    expect((await browser.get("/me")).status).toBe(200);
    expect((await browser.post("/logout")).status).toBe(204);
  });
});
