import { randomUUID } from "node:crypto";
import {
  because,
  seededRandom,
  useLearner,
  useServices,
  type HttpReply,
} from "@backend-sandbox/testkit";
import { startAuthApp, type AuthApp } from "#support/auth-app";
import { twoOrganisations, type Organisations } from "#support/organisations";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const seed = `(seed ${random.seed})`;
let app: AuthApp;
let org: Organisations;
beforeAll(async () => {
  app = await startAuthApp(services, { learner });
  org = await twoOrganisations(app.url, services, random);
});

const show = (r: HttpReply) => `${r.status} ${r.text}`;
const note = async (who: keyof Organisations, body = `note ${random.token(8)}`) => {
  const reply = await org[who].browser.post("/notes", { body });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; body: string };
};
const bodyOf = async (id: string) =>
  (await services.pg.query(`SELECT body FROM notes WHERE id = $1`, [id])).rows[0]?.body;

describe("authorization", () => {
  it("[R6.1] lists the caller's organisation's notes only, oldest first, and validates bodies", async () => {
    const mine = [await note("alice"), await note("bob"), await note("alice")];
    await note("carol");
    const list = await org.bob.browser.get("/notes");
    const bodies = list.body?.notes?.map((n: { body: string }) => n.body);
    const expected = mine.map((n) => n.body);
    because(
      `expected GET /notes for Bob to list exactly his organisation's notes, oldest first: ${expected}; got ${show(list)} ${seed}`,
      () => {
        expect(list.status).toBe(200);
        expect(bodies.slice(-3)).toEqual(expected);
        expect(
          list.body.notes.every(
            (n: { organisationId: string }) => n.organisationId === org.alice.organisationId,
          ),
        ).toBe(true);
      },
    );
    for (const body of [undefined, "", 42, "x".repeat(10_001)]) {
      const reply = await org.alice.browser.post("/notes", { body });
      because(
        `expected POST /notes with body ${JSON.stringify(body)?.slice(0, 40)} answered 400 invalid_request; got ${show(reply)}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.body).toEqual({ error: "invalid_request" });
        },
      );
    }
    for (const body of ["x".repeat(10_000), "€".repeat(10_000)]) {
      const reply = await org.alice.browser.post("/notes", { body });
      because(
        `expected a note of 10,000 characters ("${body[0]}", ${Buffer.byteLength(body)} bytes of UTF-8) accepted with 201; got ${reply.status} ${reply.text.slice(0, 80)}`,
        () => expect(reply.status).toBe(201),
      );
    }
  });

  it("[R6.1, R6.2, R6.5] reads a request without a body as one without fields: 400 invalid_request", async () => {
    const mine = await note("alice");
    const bare = (method: string, path: string) => org.alice.browser.send(method, path);
    const replies = [
      await bare("POST", "/notes"),
      await bare("PUT", `/notes/${mine.id}`),
      await bare("PUT", `/members/${org.bob.id}/role`),
    ];
    because(
      `expected POST /notes, PUT /notes/:id and PUT /members/:id/role without a body answered 400 invalid_request; got ${replies.map(show).join(" | ")} ${seed}`,
      () => {
        for (const reply of replies)
          expect(reply).toEqual(
            expect.objectContaining({ status: 400, body: { error: "invalid_request" } }),
          );
      },
    );
    expect(await bodyOf(mine.id)).toBe(mine.body);
  });

  it("[R1.8, R6.3] answers a note id of malformed percent-encoding 400 invalid_request", async () => {
    const replies = [
      await org.alice.browser.get("/notes/%E0%A4"),
      await org.alice.browser.del("/notes/%zz"),
    ];
    because(
      `expected GET /notes/%E0%A4 and DELETE /notes/%zz answered 400 invalid_request; got ${replies.map(show).join(" | ")} ${seed}`,
      () => {
        for (const reply of replies)
          expect(reply).toEqual(
            expect.objectContaining({ status: 400, body: { error: "invalid_request" } }),
          );
      },
    );
  });

  it("[R1.8, R6.4] rolls back a notes transaction that fails: 500 internal, and the next requests work", async () => {
    await services.pg.query(
      `CREATE POLICY refuse_marked ON notes AS RESTRICTIVE FOR INSERT TO auth_app WITH CHECK (body NOT LIKE 'refused by policy%')`,
    );
    try {
      const refused = await org.alice.browser.post("/notes", {
        body: `refused by policy ${random.token(6)}`,
      });
      const next: number[] = [];
      for (let i = 0; i < 3; i++) next.push((await org.alice.browser.get("/notes")).status);
      next.push((await org.alice.browser.post("/notes", { body: "after" })).status);
      because(
        `expected a note a policy refuses answered 500 {"error":"internal"}, then GET /notes three times 200 and a note made 201 (the failed transaction rolled back, not left on a pooled connection); got ${show(refused)}, then ${next} ${seed}`,
        () => {
          expect(refused.status).toBe(500);
          expect(refused.body).toEqual({ error: "internal" });
          expect(next).toEqual([200, 200, 200, 201]);
        },
      );
    } finally {
      await services.pg.query(`DROP POLICY refuse_marked ON notes`);
    }
  });

  it("[R6.2] lets any member edit, and only an admin or the author delete", async () => {
    const alices = await note("alice");
    const edited = await org.bob.browser.put(`/notes/${alices.id}`, { body: "edited by bob" });
    because(
      `expected Bob (member) to edit Alice's note: 200 with the note; got ${show(edited)}`,
      () => {
        expect(edited.status).toBe(200);
        expect(edited.body).toEqual(
          expect.objectContaining({ id: alices.id, body: "edited by bob", authorId: org.alice.id }),
        );
      },
    );
    const refused = await org.bob.browser.del(`/notes/${alices.id}`);
    because(
      `expected Bob (member, not the author) refused the delete with 403 forbidden and the note kept; got ${show(refused)}`,
      () => {
        expect(refused.status).toBe(403);
        expect(refused.body).toEqual({ error: "forbidden" });
      },
    );
    expect(await bodyOf(alices.id)).toBe("edited by bob");
    const bobs = await note("bob");
    expect((await org.bob.browser.del(`/notes/${bobs.id}`)).status).toBe(204);
    const bobs2 = await note("bob");
    expect((await org.alice.browser.del(`/notes/${bobs2.id}`)).status).toBe(204);
    expect((await org.alice.browser.del(`/notes/${alices.id}`)).status).toBe(204);
    const left = [await bodyOf(bobs.id), await bodyOf(bobs2.id), await bodyOf(alices.id)];
    because(`expected the three deleted notes gone; found ${JSON.stringify(left)}`, () =>
      expect(left).toEqual([undefined, undefined, undefined]),
    );
  });

  it("[R6.3] answers another organisation's note exactly as a missing one, on GET, PUT and DELETE, and changes nothing", async () => {
    const alices = await note("alice", "alice's secret");
    for (const who of ["carol"] as const) {
      const b = org[who].browser;
      for (const id of [
        alices.id,
        randomUUID(),
        "not-a-uuid",
        "1 OR 1=1",
        `${randomUUID()}0`,
        `0${randomUUID()}`,
      ]) {
        const replies = [
          await b.get(`/notes/${encodeURIComponent(id)}`),
          await b.put(`/notes/${encodeURIComponent(id)}`, { body: "defaced" }),
          await b.del(`/notes/${encodeURIComponent(id)}`),
        ];
        because(
          `expected GET, PUT and DELETE of note ${id} by ${who} (another organisation) answered 404 not_found; got ${replies.map(show).join(" | ")} ${seed}`,
          () => {
            for (const reply of replies) {
              expect(reply.status).toBe(404);
              expect(reply.body).toEqual({ error: "not_found" });
            }
          },
        );
      }
    }
    expect(await bodyOf(alices.id)).toBe("alice's secret");
    const list = await org.carol.browser.get("/notes");
    expect(list.body.notes.map((n: { id: string }) => n.id)).not.toContain(alices.id);
  });

  it("[R6.4] enforces row-level security in Postgres: role auth_app sees and writes only its organisation's rows", async () => {
    const a = org.alice.organisationId;
    const c = org.carol.organisationId;
    const db = await services.pg.connect();
    try {
      const { rows: role } = await db.query(
        `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'auth_app'`,
      );
      const { rows: table } = await db.query(
        `SELECT relrowsecurity FROM pg_class WHERE relname = 'notes' AND relkind = 'r'`,
      );
      because(
        `expected role auth_app (not superuser, no BYPASSRLS, NOLOGIN) and row-level security on notes; got ${JSON.stringify(role)} ${JSON.stringify(table)}`,
        () => {
          expect(role).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
          expect(table).toEqual([{ relrowsecurity: true }]);
        },
      );
      const { rows: all } = await db.query(`SELECT organisation_id FROM notes`);
      const ofA = all.filter((r) => r.organisation_id === a).length;
      await db.query("BEGIN");
      await db.query("SET LOCAL ROLE auth_app");
      const unset = (await db.query(`SELECT count(*)::int AS n FROM notes`)).rows[0].n;
      await db.query(`SELECT set_config('app.organisation_id', $1, true)`, [a]);
      const seen = await db.query(`SELECT DISTINCT organisation_id FROM notes`);
      const count = (await db.query(`SELECT count(*)::int AS n FROM notes`)).rows[0].n;
      const updated = (
        await db.query(`UPDATE notes SET body = 'defaced' WHERE organisation_id = $1`, [c])
      ).rowCount;
      const inserted = await db
        .query(`INSERT INTO notes (organisation_id, author_id, body) VALUES ($1, $2, 'planted')`, [
          c,
          org.carol.id,
        ])
        .then(
          () => "inserted",
          (e: Error) => e.message,
        );
      await db.query("ROLLBACK");
      because(
        `expected as auth_app: no rows without app.organisation_id (got ${unset}); with Alice's organisation exactly its ${ofA} notes (got ${count}, organisations ${JSON.stringify(seen.rows)}); no update (got ${updated}) and no insert (got "${inserted}") for Carol's ${seed}`,
        () => {
          expect(unset).toBe(0);
          expect(count).toBe(ofA);
          expect(seen.rows).toEqual([{ organisation_id: a }]);
          expect(updated).toBe(0);
          expect(inserted).toMatch(/row-level security/);
        },
      );
    } finally {
      await db.query("ROLLBACK").catch(() => {});
      db.release();
    }
  });

  it("[R6.4] runs the routes' queries as auth_app: a policy added for that role shows in the answers", async () => {
    const hidden = await note("alice", `hidden by policy ${random.token(6)}`);
    await services.pg.query(
      `CREATE POLICY hide_marked ON notes AS RESTRICTIVE FOR SELECT TO auth_app USING (body NOT LIKE 'hidden by policy%')`,
    );
    try {
      const list = await org.alice.browser.get("/notes");
      const one = await org.alice.browser.get(`/notes/${hidden.id}`);
      because(
        `expected a note that a restrictive policy for auth_app hides to be missing from GET /notes and GET /notes/:id (404): the routes run as auth_app; got ${list.status} listing it: ${JSON.stringify(list.body?.notes?.some((n: { id: string }) => n.id === hidden.id))}, ${show(one)}`,
        () => {
          expect(list.status).toBe(200);
          expect(list.body.notes.map((n: { id: string }) => n.id)).not.toContain(hidden.id);
          expect(one.status).toBe(404);
        },
      );
    } finally {
      await services.pg.query(`DROP POLICY hide_marked ON notes`);
    }
  });

  it("[R6.4] runs the routes' writes as auth_app too: a restrictive policy on UPDATE and DELETE holds", async () => {
    const frozen = await note("alice", `frozen by policy ${random.token(6)}`);
    await services.pg.query(
      `CREATE POLICY freeze_marked ON notes AS RESTRICTIVE FOR UPDATE TO auth_app USING (body NOT LIKE 'frozen by policy%')`,
    );
    await services.pg.query(
      `CREATE POLICY keep_marked ON notes AS RESTRICTIVE FOR DELETE TO auth_app USING (body NOT LIKE 'frozen by policy%')`,
    );
    try {
      const put = await org.alice.browser.put(`/notes/${frozen.id}`, { body: "thawed" });
      const del = await org.alice.browser.del(`/notes/${frozen.id}`);
      const body = await bodyOf(frozen.id);
      because(
        `expected PUT of a note that a restrictive UPDATE policy for auth_app protects answered 404 and the note kept, unchanged, through a DELETE a policy also forbids: the writes run as auth_app; got PUT ${show(put)}, DELETE ${show(del)}, body now ${JSON.stringify(body)}`,
        () => {
          expect(put.status).toBe(404);
          expect(body).toBe(frozen.body);
        },
      );
    } finally {
      await services.pg.query(`DROP POLICY freeze_marked ON notes`);
      await services.pg.query(`DROP POLICY keep_marked ON notes`);
    }
  });

  it("[R4.2, R6.2, R6.5] refuses PUT and DELETE without the session's CSRF token, as POST", async () => {
    const mine = await note("alice");
    const roleOfBob = async () =>
      (await services.pg.query(`SELECT role FROM users WHERE id = $1`, [org.bob.id])).rows[0].role;
    const before = await roleOfBob();
    const token = org.alice.browser.csrfToken;
    org.alice.browser.csrfToken = undefined;
    try {
      const put = await org.alice.browser.put(`/notes/${mine.id}`, { body: "forged" });
      const role = await org.alice.browser.put(`/members/${org.bob.id}/role`, {
        role: before === "admin" ? "member" : "admin",
      });
      const del = await org.alice.browser.del(`/notes/${mine.id}`);
      because(
        `expected PUT /notes/:id, PUT /members/:id/role and DELETE /notes/:id without X-CSRF-Token answered 403 csrf, nothing changed; got ${show(put)}, ${show(role)}, ${show(del)}`,
        () => {
          expect([put.status, role.status, del.status]).toEqual([403, 403, 403]);
          expect(put.body).toEqual({ error: "csrf" });
        },
      );
    } finally {
      org.alice.browser.csrfToken = token;
    }
    expect(await bodyOf(mine.id)).toBe(mine.body);
    expect(await roleOfBob()).toBe(before);
  });

  it("[R6.5] lets an admin change roles in their organisation only; a member gets 403", async () => {
    const byMember = await org.bob.browser.put(`/members/${org.alice.id}/role`, { role: "member" });
    because(`expected Bob (member) refused with 403 forbidden; got ${show(byMember)}`, () => {
      expect(byMember.status).toBe(403);
      expect(byMember.body).toEqual({ error: "forbidden" });
    });
    const outside = [
      await org.alice.browser.put(`/members/${org.carol.id}/role`, { role: "member" }),
      await org.alice.browser.put(`/members/${randomUUID()}/role`, { role: "member" }),
      await org.alice.browser.put(`/members/nope/role`, { role: "member" }),
    ];
    because(
      `expected Alice changing Carol's role (another organisation), an unknown and a malformed id answered 404 not_found; got ${outside.map(show).join(" | ")}`,
      () => {
        for (const reply of outside)
          expect(reply).toEqual(
            expect.objectContaining({ status: 404, body: { error: "not_found" } }),
          );
      },
    );
    const { rows } = await services.pg.query(`SELECT role FROM users WHERE id = $1`, [
      org.carol.id,
    ]);
    expect(rows).toEqual([{ role: "admin" }]);
    const invalid = await org.alice.browser.put(`/members/${org.bob.id}/role`, { role: "owner" });
    because(`expected role "owner" refused with 400 invalid_request; got ${show(invalid)}`, () =>
      expect(invalid.status).toBe(400),
    );
    const promoted = await org.alice.browser.put(`/members/${org.bob.id}/role`, { role: "admin" });
    because(`expected Alice promoting Bob answered 200 {id, role}; got ${show(promoted)}`, () =>
      expect(promoted.body).toEqual({ id: org.bob.id, role: "admin" }),
    );
    expect(
      (await org.alice.browser.put(`/members/${org.bob.id}/role`, { role: "member" })).status,
    ).toBe(200);
  });
});
