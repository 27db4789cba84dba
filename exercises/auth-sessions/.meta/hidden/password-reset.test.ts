import { createHash, randomBytes } from "node:crypto";
import {
  because,
  seededRandom,
  useLearner,
  useServices,
  type HttpReply,
} from "@backend-sandbox/testkit";
import { loggedIn, newEmail, newPassword, signUp, type Account } from "#support/accounts";
import { startAuthApp, startMoreInstances, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";
import { storedText } from "#support/stored-text";

const services = useServices();
// Counts the app's calls of randomBytes from its start (R5.1 pins the token's source).
const learner = useLearner({ watch: [["node:crypto", "randomBytes"]] });
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const MINUTE = 60_000;
let app: AuthApp;
let urls: string[];
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
  urls = [app.url, ...(await startMoreInstances(services, app, 2))];
});

/** Asks for a reset of `account` and returns the token mailed for it. */
async function resetToken(account: Account, url = app.url): Promise<string> {
  const before = app.mails.length;
  expect((await new Browser(url).post("/password-reset", { email: account.email })).status).toBe(
    202,
  );
  const mails = app.mails.slice(before);
  because(
    `expected exactly one reset mail to ${account.email}; got ${JSON.stringify(mails)} ${seed}`,
    () => {
      expect(mails).toHaveLength(1);
      expect(mails[0]!.email).toBe(account.email);
    },
  );
  return mails[0]!.token;
}

const confirm = (token: unknown, password: string, url = app.url) =>
  new Browser(url).post("/password-reset/confirm", { token, password });

function expectInvalidToken(reply: HttpReply, what: string) {
  because(
    `expected ${what} answered 400 invalid_token; got ${reply.status} ${reply.text} ${seed}`,
    () => {
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ error: "invalid_token" });
    },
  );
}

async function expectPassword(account: Account, password: string, works: boolean, what: string) {
  const login = await new Browser(app.url, `192.0.2.${random.int(1, 250)}`).login(
    account.email,
    password,
  );
  because(
    `expected ${what} to ${works ? "log in (200)" : "be refused (401)"}; got ${login.status} ${login.text} ${seed}`,
    () => expect(login.status).toBe(works ? 200 : 401),
  );
}

describe("password-reset", () => {
  it("[R5.1] answers 202 {} with the same headers for a known, an unknown and a malformed email, and mails only the account", async () => {
    const account = await signUp(app.url, random);
    const before = app.mails.length;
    const strip = (r: HttpReply) => [...r.headers].filter(([name]) => name !== "date");
    const replies: HttpReply[] = [];
    for (const email of [account.email.toUpperCase(), newEmail(random), "not an email", 42])
      replies.push(await new Browser(app.url).post("/password-reset", { email }));
    because(
      `expected four 202 {} with identical headers; got ${replies.map((r) => `${r.status} ${r.text} ${JSON.stringify(strip(r))}`).join(" | ")} ${seed}`,
      () => {
        for (const reply of replies) {
          expect(reply.status).toBe(202);
          expect(reply.body).toEqual({});
          expect(strip(reply)).toEqual(strip(replies[0]!));
        }
      },
    );
    const mails = app.mails.slice(before);
    because(
      `expected one mail, to ${account.email} as stored, with a 43-character base64url token; got ${JSON.stringify(mails)}`,
      () => {
        expect(mails).toHaveLength(1);
        expect(mails[0]!.email).toBe(account.email);
        expect(mails[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      },
    );
  });

  it("[R5.1, R5.3, R1.4] reads a request without a body as one without fields", async () => {
    const before = app.mails.length;
    const ask = await new Browser(app.url).send("POST", "/password-reset");
    const use = await new Browser(app.url).send("POST", "/password-reset/confirm");
    because(
      `expected POST /password-reset without a body answered 202 {} (no mail) and POST /password-reset/confirm without one 400 invalid_request (no password); got ${ask.status} ${ask.text}, ${use.status} ${use.text} ${seed}`,
      () => {
        expect([ask.status, use.status]).toEqual([202, 400]);
        expect(ask.body).toEqual({});
        expect(use.body).toEqual({ error: "invalid_request" });
        expect(app.mails.length).toBe(before);
      },
    );
  });

  it("[R5.1] draws each token from crypto.randomBytes: two asked at the same instant differ", async () => {
    const account = await signUp(app.url, random);
    const before = await learner.calls("node:crypto", "randomBytes");
    const first = await resetToken(account);
    const calls = (await learner.calls("node:crypto", "randomBytes")) - before;
    const second = await resetToken(account);
    because(
      `expected a reset to call node:crypto's randomBytes for its token (calls seen: ${calls}), and two tokens asked for one email on one clock reading to differ; got ${first} and ${second} ${seed}`,
      () => {
        expect(calls).toBeGreaterThanOrEqual(1);
        expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(second).not.toBe(first);
      },
    );
  });

  it("[R4.1, R5.1, R5.3] refuses both reset routes from another origin or without Origin, and mails nothing", async () => {
    const account = await signUp(app.url, random);
    const token = await resetToken(account);
    const mailed = app.mails.length;
    for (const origin of ["https://evil.example", undefined]) {
      const evil = new Browser(app.url);
      evil.origin = origin;
      const ask = await evil.post("/password-reset", { email: account.email });
      const use = await evil.post("/password-reset/confirm", {
        token,
        password: newPassword(random),
      });
      because(
        `expected POST /password-reset and /password-reset/confirm with Origin ${origin ?? "(none)"} answered 403 csrf, no mail sent; got ${ask.status} ${ask.text}, ${use.status} ${use.text}, ${app.mails.length - mailed} mails ${seed}`,
        () => {
          expect([ask.status, use.status]).toEqual([403, 403]);
          expect(use.body).toEqual({ error: "csrf" });
          expect(app.mails.length).toBe(mailed);
        },
      );
    }
    await expectPassword(account, account.password, true, "the old password after forged resets");
  });

  it("[R5.2] keeps only the token's SHA-256, never the token", async () => {
    const account = await signUp(app.url, random);
    const token = await resetToken(account);
    const stored = await storedText(services);
    const sha256 = createHash("sha256").update(token).digest("hex");
    const { rows } = await services.pg.query(
      `SELECT token_hash FROM password_resets WHERE user_id = $1`,
      [account.id],
    );
    because(
      `expected password_resets.token_hash to be the SHA-256 hex of the mailed token (${sha256}), and the token nowhere in Postgres or Redis; got ${JSON.stringify(rows)} ${seed}`,
      () => {
        expect(rows).toEqual([{ token_hash: sha256 }]);
        expect(stored).not.toContain(token);
      },
    );
  });

  it("[R5.3] refuses made-up and malformed tokens, and a weak password without spending the token", async () => {
    const account = await signUp(app.url, random);
    const token = await resetToken(account);
    const guesses: unknown[] = [
      undefined,
      42,
      "",
      token.slice(0, 42),
      `${token}A`,
      "A".repeat(10_000),
      randomBytes(32).toString("base64url"),
      [token],
      `${token.slice(0, 42)}%`,
    ];
    for (const guess of guesses)
      expectInvalidToken(
        await confirm(guess, newPassword(random)),
        `a confirmation with token ${JSON.stringify(guess)?.slice(0, 60)}`,
      );
    const weak = await confirm(token, "short");
    because(
      `expected a too-short new password answered 400 password_too_short; got ${weak.status} ${weak.text}`,
      () => {
        expect(weak.status).toBe(400);
        expect(weak.body).toEqual({ error: "password_too_short" });
      },
    );
    await expectPassword(
      account,
      account.password,
      true,
      "the old password, after refused confirmations,",
    );
    const password = newPassword(random);
    expect((await confirm(token, password)).status).toBe(204);
    await expectPassword(account, password, true, "the new password");
    await expectPassword(account, account.password, false, "the old password after the reset");
  });

  it("[R5.4] spends a token once: of five concurrent confirmations on three instances exactly one wins", async () => {
    const account = await signUp(app.url, random);
    const token = await resetToken(account);
    const passwords = Array.from({ length: 5 }, () => newPassword(random));
    const replies = await Promise.all(
      passwords.map((password, i) => confirm(token, password, urls[i % 3])),
    );
    const statuses = replies.map((r) => r.status).sort();
    because(
      `expected one 204 and four 400 for five racing uses of one token; got ${statuses} ${seed}`,
      () => expect(statuses).toEqual([204, 400, 400, 400, 400]),
    );
    const winner = passwords[replies.findIndex((r) => r.status === 204)]!;
    for (const password of passwords)
      await expectPassword(
        account,
        password,
        password === winner,
        `password ${JSON.stringify(password)}`,
      );
    expectInvalidToken(await confirm(token, newPassword(random)), "a used token");
  });

  it("[R5.4] spends the user's other outstanding tokens with a reset", async () => {
    const account = await signUp(app.url, random);
    const other = await signUp(app.url, random);
    const [first, second, third] = [
      await resetToken(account),
      await resetToken(account),
      await resetToken(account),
    ];
    const bystander = await resetToken(other);
    const password = newPassword(random);
    expect((await confirm(second, password, urls[1])).status).toBe(204);
    expectInvalidToken(await confirm(first, newPassword(random)), "an older token after a reset");
    expectInvalidToken(await confirm(third, newPassword(random)), "a newer token after a reset");
    await expectPassword(account, password, true, "the password the reset set");
    expect((await confirm(bystander, newPassword(random))).status).toBe(204);
  });

  it("[R5.5] expires a token 30 minutes after it was issued", async () => {
    const account = await signUp(app.url, random);
    const early = await resetToken(account);
    app.clock.advance(1);
    const late = await resetToken(account);
    app.clock.advance(30 * MINUTE - 1);
    expectInvalidToken(
      await confirm(early, newPassword(random)),
      "a token issued exactly 30 minutes ago",
    );
    const password = newPassword(random);
    const inTime = await confirm(late, password);
    because(
      `expected a token issued 30 minutes less 1 ms ago accepted with 204; got ${inTime.status} ${inTime.text}`,
      () => expect(inTime.status).toBe(204),
    );
  });

  it("[R5.6] ends every session of the user on every instance, and lifts a login lock", async () => {
    const account = await signUp(app.url, random);
    const sessions = [
      await loggedIn(urls[0]!, account),
      await loggedIn(urls[1]!, account),
      await loggedIn(urls[2]!, account),
    ];
    // Each used on every instance first, so that no instance may answer from a copy it kept.
    for (const session of sessions)
      for (const url of urls) {
        const me = await Object.assign(new Browser(url), { sid: session.sid }).get("/me");
        expect(me.status).toBe(200);
      }
    for (let i = 0; i < 5; i++)
      await new Browser(urls[i % 3]!, `198.51.100.${100 + i}`).login(
        account.email,
        `attacker ${i}`,
      );
    const locked = await new Browser(app.url).login(account.email, account.password);
    expect(locked.status).toBe(429);
    const password = newPassword(random);
    expect((await confirm(await resetToken(account, urls[1]), password, urls[2])).status).toBe(204);
    for (const [i, session] of sessions.entries())
      for (const url of urls) {
        const me = await Object.assign(new Browser(url), { sid: session.sid }).get("/me");
        because(
          `expected session ${i + 1} of 3 ended by the reset on ${url} (401); got ${me.status} ${me.text}`,
          () => expect(me.status).toBe(401),
        );
      }
    await expectPassword(
      account,
      password,
      true,
      "the new password, though the account was locked before the reset,",
    );
  });
});
