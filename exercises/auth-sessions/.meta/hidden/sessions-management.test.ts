import { createHash, randomBytes } from "node:crypto";
import {
  because,
  seededRandom,
  useLearner,
  useServices,
  type HttpReply,
} from "@backend-sandbox/testkit";
import { loggedIn, signUp } from "#support/accounts";
import { startAuthApp, startMoreInstances, type AuthApp } from "#support/auth-app";
import { Browser } from "#support/browser";
import { twoOrganisations } from "#support/organisations";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const MINUTE = 60_000;
let app: AuthApp;
let urls: string[];
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
  urls = [app.url, ...(await startMoreInstances(services, app, 2))];
});

const show = (r: HttpReply) => `${r.status} ${r.text}`;
const handle = (b: Browser) => createHash("sha256").update(b.sid!).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString();

async function expectStatus(browser: Browser, status: number, what: string) {
  const me = await browser.get("/me");
  because(`expected ${what}: GET /me answered ${status}; got ${show(me)} ${seed}`, () =>
    expect(me.status).toBe(status),
  );
}

describe("sessions-management", () => {
  it("[R7.1] lists the caller's live sessions, oldest first: SHA-256 ids, times by the clock, the current one marked", async () => {
    const account = await signUp(app.url, random);
    const other = await loggedIn(app.url, await signUp(app.url, random));
    const first = await loggedIn(urls[0]!, account);
    const t1 = app.clock.now();
    app.clock.advance(MINUTE);
    const expired = await loggedIn(urls[1]!, account);
    app.clock.advance(MINUTE);
    const second = await loggedIn(urls[2]!, account);
    const t2 = app.clock.now();
    app.clock.advance(20 * MINUTE);
    await first.get("/me");
    await second.get("/me");
    app.clock.advance(15 * MINUTE); // the middle session is now unused for 36 minutes, the others for 15
    const now = app.clock.now();
    await first.get("/me");
    const list = await second.get("/sessions");
    because(
      `expected exactly two sessions (the idle one gone), oldest first, ids the SHA-256 of the cookies, times in ISO 8601 by the clock; got ${show(list)} ${seed}`,
      () => {
        expect(list.status).toBe(200);
        expect(list.body.sessions).toEqual([
          { id: handle(first), createdAt: iso(t1), lastSeenAt: iso(now), current: false },
          { id: handle(second), createdAt: iso(t2), lastSeenAt: iso(now), current: true },
        ]);
      },
    );
    expect(list.text).not.toContain(first.sid);
    expect(list.text).not.toContain(handle(other));
    expect(list.text).not.toContain(handle(expired));
  });

  it("[R7.1] orders sessions by when they began by options.now, not by when they were made", async () => {
    const account = await signUp(app.url, random);
    // Made one after the other while the clock goes back: the last made began first. Six, so that
    // a list in the order Redis keeps a set (none, on Redis before 7.2) matches by chance once in 720.
    const made: Array<{ browser: Browser; at: number }> = [];
    for (let i = 0; i < 6; i++) {
      made.push({ browser: await loggedIn(urls[i % 3]!, account), at: app.clock.now() });
      app.clock.advance(-2 * MINUTE);
    }
    app.clock.advance(14 * MINUTE);
    const list = await made[0]!.browser.get("/sessions");
    const expected = [...made].reverse().map(({ browser, at }) => ({
      id: handle(browser),
      createdAt: iso(at),
    }));
    because(
      `expected the six sessions oldest first by their createdAt, the reverse of the order they were made in; got ${show(list)} ${seed}`,
      () =>
        expect(
          list.body?.sessions?.map((s: { id: string; createdAt: string }) => ({
            id: s.id,
            createdAt: s.createdAt,
          })),
        ).toEqual(expected),
    );
  });

  it("[R7.2] ends one of the caller's sessions; another user's or a made-up id answers 404 and ends nothing", async () => {
    const account = await signUp(app.url, random);
    const [a, b] = [await loggedIn(urls[0]!, account), await loggedIn(urls[1]!, account)];
    const stranger = await loggedIn(urls[2]!, await signUp(app.url, random));
    for (const id of [
      handle(stranger),
      createHash("sha256").update(randomBytes(32)).digest("hex"),
      "nope",
    ]) {
      const reply = await a.del(`/sessions/${id}`);
      because(
        `expected DELETE /sessions/${id} (not the caller's) answered 404 not_found; got ${show(reply)}`,
        () => {
          expect(reply.status).toBe(404);
          expect(reply.body).toEqual({ error: "not_found" });
        },
      );
    }
    await expectStatus(stranger, 200, "another user's session to survive a stranger's DELETE");
    expect((await a.del(`/sessions/${handle(b)}`)).status).toBe(204);
    await expectStatus(b, 401, "the ended session to be over");
    await expectStatus(a, 200, "the caller's own session to stay");
    const self = await a.del(`/sessions/${handle(a)}`);
    because(
      `expected ending the current session answered 204 with the cookie cleared; got ${show(self)} ${self.headers.getSetCookie()}`,
      () => {
        expect(self.status).toBe(204);
        expect(self.headers.getSetCookie().join("\n")).toMatch(/^sid=;.*max-age=0/im);
      },
    );
  });

  it("[R7.3] signs out everywhere: every session of the caller, on every instance, the current one included", async () => {
    const account = await signUp(app.url, random);
    const sessions = [
      await loggedIn(urls[0]!, account),
      await loggedIn(urls[1]!, account),
      await loggedIn(urls[2]!, account),
    ];
    const bystander = await loggedIn(app.url, await signUp(app.url, random));
    const on = (session: Browser, url: string) =>
      Object.assign(new Browser(url), { sid: session.sid, csrfToken: session.csrfToken });
    // Each used on every instance first, so that no instance may answer from a copy it kept.
    for (const session of sessions)
      for (const url of urls) await expectStatus(on(session, url), 200, "a session to be live");
    const copy = Object.assign(
      Object.create(Object.getPrototypeOf(sessions[1])),
      sessions[1],
    ) as Browser;
    const reply = await sessions[1]!.del("/sessions");
    because(
      `expected DELETE /sessions answered 204 with the cookie cleared; got ${show(reply)} ${reply.headers.getSetCookie()}`,
      () => {
        expect(reply.status).toBe(204);
        expect(reply.headers.getSetCookie().join("\n")).toMatch(/^sid=;.*max-age=0/im);
      },
    );
    for (const [i, session] of [sessions[0]!, copy, sessions[2]!].entries())
      for (const url of urls)
        await expectStatus(on(session, url), 401, `session ${i + 1} of 3 to be over on ${url}`);
    await expectStatus(bystander, 200, "another user's session to stay");
  });

  it("[R7.4] applies a role change on the user's next request, in the sessions they already have", async () => {
    const { alice, bob } = await twoOrganisations(app.url, services, random);
    const alicesNote = (await alice.browser.post("/notes", { body: "keep" })).body;
    const otherNote = (await alice.browser.post("/notes", { body: "drop" })).body;
    expect((await bob.browser.del(`/notes/${alicesNote.id}`)).status).toBe(403);
    expect((await alice.browser.put(`/members/${bob.id}/role`, { role: "admin" })).status).toBe(
      200,
    );
    const me = await bob.browser.get("/me");
    const deleted = await bob.browser.del(`/notes/${otherNote.id}`);
    because(
      `expected Bob, promoted, to be an admin on his next request (GET /me role, DELETE of Alice's note 204); got role ${me.body?.role}, ${show(deleted)}`,
      () => {
        expect(me.body.role).toBe("admin");
        expect(deleted.status).toBe(204);
      },
    );
    expect((await alice.browser.put(`/members/${bob.id}/role`, { role: "member" })).status).toBe(
      200,
    );
    const refused = await bob.browser.del(`/notes/${alicesNote.id}`);
    because(`expected Bob, demoted, refused at once with 403; got ${show(refused)}`, () =>
      expect(refused.status).toBe(403),
    );
    const demoted = await alice.browser.put(`/members/${alice.id}/role`, { role: "member" });
    expect(demoted.status).toBe(200);
    const promoteAgain = await alice.browser.put(`/members/${bob.id}/role`, { role: "admin" });
    because(
      `expected Alice, who demoted herself, refused at once with 403; got ${show(promoteAgain)}`,
      () => expect(promoteAgain.status).toBe(403),
    );
  });

  it("[R7.2, R7.3, R4.2] ends no session for a forged request: another origin or no CSRF token", async () => {
    const account = await signUp(app.url, random);
    const [a, b] = [await loggedIn(urls[0]!, account), await loggedIn(urls[1]!, account)];
    const forged = [
      await a.send("DELETE", "/sessions", undefined, { origin: "https://evil.example" }),
      await a.send("DELETE", "/sessions", undefined, { "x-csrf-token": "" }),
      await a.send("DELETE", `/sessions/${handle(b)}`, undefined, { "x-csrf-token": b.csrfToken! }),
    ];
    because(
      `expected sign-out everywhere from another origin, without a token, and ending a session with another session's token all answered 403 csrf; got ${forged.map(show).join(" | ")} ${seed}`,
      () => {
        for (const reply of forged)
          expect(reply).toEqual(expect.objectContaining({ status: 403, body: { error: "csrf" } }));
      },
    );
    await expectStatus(a, 200, "the session to survive forged requests");
    await expectStatus(b, 200, "the other session to survive forged requests");
  });
});
