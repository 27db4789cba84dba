import { randomBytes, scryptSync } from "node:crypto";
import {
  because,
  type HttpReply,
  eventually,
  manualClock,
  pgPool,
  redisClient,
  request,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import { newEmail, newPassword } from "#support/accounts";
import { ORIGIN, startAuthApp, TEST_SCRYPT, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const INTERNAL = JSON.stringify({ error: "internal" });
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

const organisations = async (): Promise<number> =>
  Number((await services.pg.query(`SELECT count(*) AS n FROM organisations`)).rows[0].n);

describe("passwords: requests the app cannot read, and failures", () => {
  it("[R1.8] answers a body that is not JSON 400 invalid_request, and one over 64 KiB 413", async () => {
    const raw = (path: string, body: string) =>
      request(`${app.url}${path}`, {
        method: "POST",
        body,
        headers: { origin: ORIGIN, "content-type": "application/json" },
      });
    const email = newEmail(random);
    const replies = {
      "a sign-up that is not JSON": await raw("/signup", `{"email": "${email}", "password":`),
      "a login that is not JSON": await raw("/login", "email=a@example.test&password=x"),
      "a login of 70 KiB": await raw(
        "/login",
        JSON.stringify({ email, password: "x".repeat(70 * 1024) }),
      ),
      "a sign-up of 60 KiB": await raw(
        "/signup",
        JSON.stringify({ email, password: "y".repeat(60 * 1024) }),
      ),
    };
    because(
      `expected 400, 400 and 413 {"error":"invalid_request"}, then a 60 KiB body read (400 password_too_long); got ${Object.entries(
        replies,
      )
        .map(([what, r]) => `${what}: ${r.status} ${r.text}`)
        .join(" | ")} ${seed}`,
      () => {
        expect(Object.values(replies).map((r) => r.status)).toEqual([400, 400, 413, 400]);
        expect(Object.values(replies).map((r) => r.body)).toEqual([
          { error: "invalid_request" },
          { error: "invalid_request" },
          { error: "invalid_request" },
          { error: "password_too_long" },
        ]);
      },
    );
  });

  it("[R1.2, R1.6] reads a request without a body as one without fields", async () => {
    const bare = (path: string) => new Browser(app.url).send("POST", path);
    const signup = await bare("/signup");
    const login = await bare("/login");
    because(
      `expected POST /signup and POST /login without a body answered 400 invalid_email and 400 invalid_request; got ${signup.status} ${signup.text} and ${login.status} ${login.text} ${seed}`,
      () => {
        expect(signup.body).toEqual({ error: "invalid_email" });
        expect(login.body).toEqual({ error: "invalid_request" });
        expect([signup.status, login.status]).toEqual([400, 400]);
      },
    );
  });

  it("[R1.6] logs nobody in with a stored hash of another form: 401 invalid_credentials", async () => {
    const salt = randomBytes(16).toString("base64");
    const { N, r, p } = TEST_SCRYPT;
    const keyOf = (password: string) =>
      scryptSync(password, Buffer.from(salt, "base64"), 32, { N, r, p }).toString("base64");
    const shapes: Record<string, string | ((password: string) => string)> = {
      "another scheme's name on a scrypt key": (password) =>
        `scrypt2$${N}$${r}$${p}$${salt}$${keyOf(password)}`,
      "another scheme": `argon2id$v=19$m=65536,t=3,p=4$${salt}$${randomBytes(32).toString("base64")}`,
      "no key": `scrypt$${TEST_SCRYPT.N}$${TEST_SCRYPT.r}$${TEST_SCRYPT.p}$${salt}`,
      "a key of 16 bytes": `scrypt$${TEST_SCRYPT.N}$${TEST_SCRYPT.r}$${TEST_SCRYPT.p}$${salt}$${randomBytes(16).toString("base64")}`,
    };
    const seen: string[] = [];
    for (const [what, hash] of Object.entries(shapes)) {
      const email = newEmail(random);
      const password = newPassword(random);
      expect((await new Browser(app.url).post("/signup", { email, password })).status).toBe(201);
      await services.pg.query(`UPDATE users SET password_hash = $1 WHERE email = $2`, [
        typeof hash === "string" ? hash : hash(password),
        email,
      ]);
      const reply = await new Browser(app.url, `192.0.2.${seen.length + 1}`).login(email, password);
      seen.push(`${what}: ${reply.status} ${reply.text}`);
    }
    because(
      `expected a login against each stored hash answered 401 invalid_credentials; got ${seen.join(" | ")} ${seed}`,
      () =>
        expect(seen).toEqual(
          Object.keys(shapes).map((what) => `${what}: 401 {"error":"invalid_credentials"}`),
        ),
    );
  });

  it("[R1.8] answers a failing query 500 internal, with nothing of the error, and hands it to onError", async () => {
    const errors: unknown[] = [];
    const missing = new URL(services.databaseUrl);
    missing.pathname = `${missing.pathname}_missing`;
    const made = await learner.module<typeof App>("app").createApp({
      pg: pgPool({ connectionString: missing.toString(), max: 2 }),
      redis: redisClient(services.redisUrl),
      origin: ORIGIN,
      now: manualClock().now,
      scrypt: TEST_SCRYPT,
      sendResetEmail: () => {},
      onError: (error: unknown) => {
        errors.push(error);
      },
    });
    const served = await learner.serve(made);
    const url = typeof served === "string" ? served : (served as { url: string }).url;
    const email = newEmail(random);
    const password = newPassword(random);
    const signup = await new Browser(url).post("/signup", { email, password });
    const login = await new Browser(url).login(email, password);
    because(
      `expected a sign-up and a login on a database that does not exist answered 500 with exactly ${INTERNAL}; got ${signup.status} ${signup.text} and ${login.status} ${login.text} ${seed}`,
      () => {
        expect([signup.status, login.status]).toEqual([500, 500]);
        expect([signup.text, login.text]).toEqual([INTERNAL, INTERNAL]);
      },
    );
    await eventually("options.onError called once for each of the two failures", () =>
      errors.length >= 2 ? errors.length : 0,
    );
  });

  it("[R1.8, R1.2] rolls a failed sign-up back: 500 internal, nothing left behind, the next sign-ups made", async () => {
    await services.pg.query(
      `ALTER TABLE users ADD CONSTRAINT refuse_marked CHECK (email NOT LIKE 'refused-%')`,
    );
    try {
      const before = await organisations();
      const refused = await new Browser(app.url).post("/signup", {
        email: `refused-${random.token(8)}@example.test`,
        password: newPassword(random),
      });
      const next: HttpReply[] = [];
      for (let i = 0; i < 3; i++)
        next.push(
          await new Browser(app.url).post("/signup", {
            email: newEmail(random),
            password: newPassword(random),
          }),
        );
      const made = (await organisations()) - before;
      because(
        `expected a sign-up that the database refuses answered 500 ${INTERNAL}, then three sign-ups answered 201 (the failed transaction rolled back, not left on a pooled connection) and three organisations made in all; got ${refused.status} ${refused.text}, then ${next.map((r) => r.status)}, ${made} organisations ${seed}`,
        () => {
          expect(refused.status).toBe(500);
          expect(refused.text).toBe(INTERNAL);
          expect(next.map((r) => r.status)).toEqual([201, 201, 201]);
          expect(made).toBe(3);
        },
      );
    } finally {
      await services.pg.query(`ALTER TABLE users DROP CONSTRAINT refuse_marked`);
    }
  });
});
