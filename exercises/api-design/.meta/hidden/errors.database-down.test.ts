import {
  because,
  eventually,
  expectProblem,
  pgPool,
  startPostgres,
  useLearner,
  within,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import { apiAt, type Api } from "#support/api-client";
import { describeReply } from "#support/describe-reply";

const learner = useLearner();
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let api: Api;
const logged: unknown[] = [];
beforeAll(async () => {
  postgres = await startPostgres();
  // The pool the app gets gives up connecting after 3 s (R2.7); the learner's process builds it.
  const pg = pgPool({ connectionString: postgres.url, max: 5, connectionTimeoutMillis: 3000 });
  const app = learner.module<typeof App>("app");
  await app.migrate(pg);
  const made = await app.createApp({
    pg,
    cursorSecret: "down",
    onError: (error: unknown) => void logged.push(error),
  });
  api = apiAt(await learner.serve(made));
}, 60_000);

describe("errors", () => {
  it("[R2.1, R2.6, R2.7] answers 500 or 503 problem details without internals when Postgres is down, then recovers", async () => {
    const created = await api.post("/projects", { name: "Before the outage" });
    expect(created.status).toBe(201);
    await postgres.stop();
    for (const send of [
      () => api.get(`/projects/${created.body.id}`),
      () => api.post("/projects", { name: "x" }),
      () => api.put(`/projects/${created.body.id}`, { name: "x" }, { "if-match": "*" }),
      () => api.del(`/projects/${created.body.id}`),
    ]) {
      const reply = await within(8000, "an answer while Postgres is down", send());
      because(`expected 500 or 503 while Postgres is down; got ${describeReply(reply)}`, () =>
        expect([500, 503]).toContain(reply.status),
      );
      expectProblem(reply, reply.status, `${reply.method} ${reply.path} while Postgres is down`, [
        "detail",
        "instance",
      ]);
      because(`expected the problem to hide the database error; got ${reply.text}`, () =>
        expect(reply.text).not.toMatch(/ECONNREFUSED|connect|postgres|terminat|5432|\bpg\b/i),
      );
    }
    // onError is called back over the learner's channel, which may trail the HTTP answer a little.
    await eventually("the unexpected error to reach onError", () => logged.length > 0, {
      timeoutMs: 2000,
    });
    await postgres.start();
    const after = await within(
      10_000,
      "an answer after Postgres is back",
      api.get(`/projects/${created.body.id}`),
    );
    because(`expected 200 once Postgres is back; got ${describeReply(after)}`, () =>
      expect(after.status).toBe(200),
    );
  }, 60_000);
});
