import { scryptSync } from "node:crypto";
import {
  because,
  seededRandom,
  useLearner,
  useServices,
  usesInSource,
} from "@backend-sandbox/testkit";
import { newEmail, newPassword, signUp } from "#support/accounts";
import { startAuthApp, TEST_SCRYPT, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";
import { storedText } from "#support/stored-text";

const services = useServices();
// Counts the app's calls of timingSafeEqual and scrypt from before its code loads, so code that
// takes them out of node:crypto at load is counted too.
const learner = useLearner({
  watch: [
    ["node:crypto", "timingSafeEqual"],
    ["node:crypto", "scrypt"],
    ["node:crypto", "scryptSync"],
  ],
});
const random = seededRandom();
const seed = `(seed ${random.seed})`;
let app: AuthApp;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
});

const storedHash = async (email: string): Promise<string> =>
  (await services.pg.query(`SELECT password_hash FROM users WHERE email = $1`, [email])).rows[0]
    ?.password_hash;

/** Recomputes a stored `scrypt$N$r$p$salt$key` for `password`; true when it matches. */
function recomputes(stored: string, password: string): boolean {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const derived = scryptSync(password, Buffer.from(salt, "base64"), 32, {
    N: +N!,
    r: +r!,
    p: +p!,
    maxmem: 256 * 1024 * 1024,
  });
  return derived.toString("base64") === key && Buffer.from(salt, "base64").length === 16;
}

describe("passwords", () => {
  it("[R1.2] keeps one account per email whatever its letter case, also when sign-ups race", async () => {
    const email = newEmail(random);
    const password = newPassword(random);
    const variants = [
      email,
      email.toUpperCase(),
      ` ${email}`,
      email.replace("user", "USER"),
      `${email} `,
    ];
    const organisations = async () =>
      Number((await services.pg.query(`SELECT count(*) AS n FROM organisations`)).rows[0].n);
    const before = await organisations();
    const replies = await Promise.all(
      variants.map((e) => new Browser(app.url).post("/signup", { email: e, password })),
    );
    const statuses = replies.map((r) => r.status).sort();
    because(
      `expected 5 racing sign-ups of ${email} in other letter cases to give one 201 and four 409 email_taken; got ${statuses} ${seed}`,
      () => {
        expect(statuses).toEqual([201, 409, 409, 409, 409]);
        expect(replies.find((r) => r.status === 409)?.body).toEqual({ error: "email_taken" });
      },
    );
    const { rows } = await services.pg.query(`SELECT email FROM users WHERE lower(email) = $1`, [
      email,
    ]);
    expect(rows).toEqual([{ email }]);
    const made = (await organisations()) - before;
    because(`expected the four refused sign-ups to leave no organisation; ${made} made`, () =>
      expect(made).toBe(1),
    );
    // Nor a transaction left open on a pooled connection: the organisation made in it would be
    // committed by whatever that connection runs next.
    const open = Number(
      (
        await services.pg.query(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        )
      ).rows[0].n,
    );
    because(
      `expected the refused sign-ups to end their transactions; ${open} connections of the app are idle in one`,
      () => expect(open).toBe(0),
    );
  });

  it("[R1.2] refuses what is not an email address with 400 invalid_email", async () => {
    const password = newPassword(random);
    for (const email of [
      undefined,
      42,
      "",
      "no-at-sign.example",
      "two@@example.test",
      "@example.test",
      "user@",
      "sp ace@example.test",
      "two@at@example.test",
      "user@exa mple.test",
      `${"a".repeat(250)}@example.test`,
      `${"a".repeat(242)}@example.test`, // 255 characters
    ]) {
      const reply = await new Browser(app.url).post("/signup", { email, password });
      because(
        `expected sign-up with email ${JSON.stringify(email)} refused with 400 invalid_email; got ${reply.status} ${reply.text}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.body).toEqual({ error: "invalid_email" });
        },
      );
    }
    const longest = `${random.token(241).toLowerCase()}@example.test`;
    const accepted = await new Browser(app.url).post("/signup", { email: longest, password });
    because(
      `expected an email of exactly 254 characters accepted (201); got ${accepted.status} ${accepted.text} ${seed}`,
      () => expect(accepted.status).toBe(201),
    );
  });

  it("[R1.3] stores scrypt(password, a random 16-byte salt) with the parameters given, a salt of its own per hash", async () => {
    const password = newPassword(random);
    const emails = [newEmail(random), newEmail(random)];
    for (const email of emails)
      expect((await new Browser(app.url).post("/signup", { email, password })).status).toBe(201);
    const hashes = await Promise.all(emails.map(storedHash));
    because(
      `expected users.password_hash to be scrypt$1024$8$1$<salt>$<key> that scrypt recomputes from the password, with a different salt for two users of one password; got ${hashes.join(" and ")} ${seed}`,
      () => {
        for (const hash of hashes) {
          expect(
            hash.startsWith(`scrypt$${TEST_SCRYPT.N}$${TEST_SCRYPT.r}$${TEST_SCRYPT.p}$`),
          ).toBe(true);
          expect(recomputes(hash, password)).toBe(true);
        }
        expect(hashes[0]!.split("$")[4]).not.toBe(hashes[1]!.split("$")[4]);
      },
    );
  });

  it("[R1.3] hashes with N=131072, r=8, p=1 when the options leave scrypt out (memory-hard: 128 MiB)", async () => {
    const { url } = await startAuthApp(services, { choices: { scrypt: undefined } });
    const { email, password } = await signUp(url, random);
    const hash = await storedHash(email);
    because(
      `expected the default hash to be scrypt$131072$8$1$... recomputable from the password; got ${hash} ${seed}`,
      () => {
        expect(hash.startsWith("scrypt$131072$8$1$")).toBe(true);
        expect(recomputes(hash, password)).toBe(true);
      },
    );
  });

  it("[R1.4] applies NIST SP 800-63B: 8 to 64 characters, no breached password, no composition rules", async () => {
    const cases: Array<[unknown, number, string?]> = [
      ["seven c", 400, "password_too_short"],
      ["😀😀😀😀😀😀😀", 400, "password_too_short"], // 7 characters, 28 bytes
      ["x".repeat(65), 400, "password_too_long"],
      ["LetMeIn1", 400, "password_breached"],
      ["CORRECTHORSEBATTERYSTAPLE", 400, "password_breached"],
      [12345678, 400, "invalid_request"],
      ["eightchr", 201],
      ["y".repeat(64), 201],
      ["😀😀😀😀😀😀😀😀", 201],
      ["all lower case, spaces and commas", 201],
    ];
    for (const [password, status, error] of cases) {
      const reply = await new Browser(app.url).post("/signup", {
        email: newEmail(random),
        password,
      });
      because(
        `expected sign-up with password ${JSON.stringify(password)} answered ${status}${error ? ` ${error}` : ""}; got ${reply.status} ${reply.text}`,
        () => {
          expect(reply.status).toBe(status);
          if (error) expect(reply.body).toEqual({ error });
        },
      );
    }
  });

  it("[R1.5] never stores the password in the clear, in Postgres or Redis", async () => {
    const account = await signUp(app.url, random);
    await new Browser(app.url).login(account.email, account.password);
    await new Browser(app.url).login(account.email, `${account.password}!`);
    const stored = await storedText(services);
    because(
      `expected neither ${JSON.stringify(account.password)} nor a wrong guess at it in any table or Redis key ${seed}`,
      () => {
        expect(stored).not.toContain(account.password);
      },
    );
  });

  it("[R1.6] answers an unknown email exactly as a wrong password: status, body and headers", async () => {
    const account = await signUp(app.url, random);
    const strip = (headers: Headers) => [...headers].filter(([name]) => name !== "date");
    const wrong = await new Browser(app.url).login(account.email, newPassword(random));
    const unknown = await new Browser(app.url).login(newEmail(random), newPassword(random));
    because(
      `expected both 401 {"error":"invalid_credentials"} with the same headers; got wrong password ${wrong.status} ${wrong.text} ${JSON.stringify(strip(wrong.headers))}, unknown email ${unknown.status} ${unknown.text} ${JSON.stringify(strip(unknown.headers))}`,
      () => {
        expect(wrong.status).toBe(401);
        expect(wrong.body).toEqual({ error: "invalid_credentials" });
        expect(unknown.status).toBe(401);
        expect(unknown.text).toBe(wrong.text);
        expect(strip(unknown.headers)).toEqual(strip(wrong.headers));
      },
    );
  });

  it("[R1.3, R1.6] runs scrypt for an unknown email as for a wrong password: the decoy is a real hash", async () => {
    const account = await signUp(app.url, random);
    const scrypts = async () =>
      (await learner.calls("node:crypto", "scrypt")) +
      (await learner.calls("node:crypto", "scryptSync"));
    const counted = async (email: string) => {
      const before = await scrypts();
      const reply = await new Browser(app.url).login(email, newPassword(random));
      return { status: reply.status, calls: (await scrypts()) - before };
    };
    const wrong = await counted(account.email);
    const unknown = await counted(newEmail(random));
    because(
      `expected a login with a wrong password and one with an unknown email each to derive a key with node:crypto's scrypt (or scryptSync); calls seen: wrong password ${wrong.calls} (${wrong.status}), unknown email ${unknown.calls} (${unknown.status}) ${seed}`,
      () => {
        expect([wrong.status, unknown.status]).toEqual([401, 401]);
        expect(wrong.calls).toBeGreaterThanOrEqual(1);
        expect(unknown.calls).toBeGreaterThanOrEqual(1);
      },
    );
  });

  it("[R1.6] refuses a login without string email and password with 400 invalid_request", async () => {
    for (const body of [
      {},
      { email: "a@example.test" },
      { password: "long enough" },
      { email: ["a@example.test"], password: "long enough" },
      { email: "a@example.test", password: 12345678 },
    ]) {
      const reply = await new Browser(app.url).post("/login", body);
      because(
        `expected POST /login ${JSON.stringify(body)} answered 400 invalid_request; got ${reply.status} ${reply.text}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.body).toEqual({ error: "invalid_request" });
        },
      );
    }
  });

  it("[R1.6, R1.7] compares keys with timingSafeEqual, for a wrong password and an unknown email alike", async () => {
    // The app runs in a process of its own: the testkit counts that process's calls of
    // crypto.timingSafeEqual, and its source is read (as text) for Buffer.compare and
    // Buffer.equals, the comparisons that stop early (a method of the same name on another
    // object, such as Intl.Collator's compare, is not one of them).
    const leaky = ["equals", "compare"].flatMap((name) =>
      usesInSource("node:buffer", name, { owner: "Buffer" }).map((at) => `Buffer.${name} at ${at}`),
    );
    const account = await signUp(app.url, random);
    const counted = async (email: string, password: string) => {
      const before = await learner.calls("node:crypto", "timingSafeEqual");
      const reply = await new Browser(app.url).login(email, password);
      return {
        status: reply.status,
        calls: (await learner.calls("node:crypto", "timingSafeEqual")) - before,
      };
    };
    const wrong = await counted(account.email, newPassword(random));
    const unknown = await counted(newEmail(random), newPassword(random));
    const right = await counted(account.email, account.password);
    because(
      `expected each login to compare a derived key with crypto.timingSafeEqual (an unknown email against a decoy hash): calls seen for a wrong password ${wrong.calls} (${wrong.status}), an unknown email ${unknown.calls} (${unknown.status}), the right password ${right.calls} (${right.status}); and no Buffer equals or compare in src/ (${leaky.join(", ") || "none"}) ${seed}`,
      () => {
        expect([wrong.status, unknown.status, right.status]).toEqual([401, 401, 200]);
        expect(wrong.calls).toBeGreaterThanOrEqual(1);
        expect(unknown.calls).toBeGreaterThanOrEqual(1);
        expect(right.calls).toBeGreaterThanOrEqual(1);
        expect(leaky).toEqual([]);
      },
    );
  });
});
