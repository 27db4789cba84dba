import { because, manualClock, seededRandom } from "@backend-sandbox/testkit";
import type { ApiReply } from "#support/api-client";
import { Contract } from "#support/contract";
import { linksIn } from "#support/link-header";
import { useApi } from "#support/use-api";

const random = seededRandom();
const clock = manualClock(Date.parse("2025-03-01T09:00:00.000Z"));
const replies: ApiReply[] = [];
const api = useApi({ now: clock.date, record: (reply) => replies.push(reply) });
let contract: Contract;
beforeAll(async () => {
  const doc = await api.get("/openapi.json");
  contract = new Contract(doc.body ?? {});
});

/** Checks every reply recorded since the last call against the served document. */
function expectConforming(what: string) {
  const seen = replies.splice(0);
  const problems = seen.flatMap((reply) => contract.violations(reply));
  because(
    `expected every response of ${what} to match /openapi.json (seed ${random.seed}); ${problems.length} did not:\n${problems.slice(0, 8).join("\n")}`,
    () => expect(problems).toEqual([]),
  );
}

describe("contract", () => {
  it("[R6.1] serves an OpenAPI 3.1 document describing every operation", async () => {
    const reply = replies.splice(0)[0]!;
    because(
      `expected GET /openapi.json to be 200 JSON with openapi 3.1.x; got ${reply.status} ${reply.text.slice(0, 100)}`,
      () => {
        expect(reply.status).toBe(200);
        expect(reply.headers.get("content-type")).toMatch(/json/);
        expect(String(reply.body?.openapi)).toMatch(/^3\.1\.\d+$/);
      },
    );
    for (const [method, path] of [
      ["GET", "/projects"],
      ["POST", "/projects"],
      ["GET", "/projects/x"],
      ["PUT", "/projects/x"],
      ["DELETE", "/projects/x"],
    ] as const) {
      because(`expected /openapi.json to describe ${method} ${path.replace("x", "{id}")}`, () =>
        expect(contract.operation(method, path)).toBeDefined(),
      );
    }
  });

  it("[R6.2] describes every success response the tests receive", async () => {
    const body = {
      name: `Contract ${random.token(6)}`,
      tags: [random.token(3)],
      priority: random.int(1, 5),
    };
    const key = { "idempotency-key": random.token(16) };
    const created = await api.post("/projects", body, key);
    await api.post("/projects", body, key);
    for (let i = 0; i < 4; i++) await api.post("/projects", { name: `filler ${i}` });
    const path = `/projects/${created.body.id}`;
    const etag = (await api.get(path)).headers.get("etag")!;
    await api.send("HEAD", path);
    await api.get(path, { "if-none-match": etag });
    const first = await api.get("/projects?limit=2&sort=name");
    const next = linksIn(first.headers.get("link")).get("next");
    if (next) await api.get(new URL(next, api.url).pathname + new URL(next, api.url).search);
    await api.get("/projects?status=archived");
    const put = await api.put(path, { name: "replaced" }, { "if-match": etag });
    await api.del(path, { "if-match": put.headers.get("etag") ?? "*" });
    expectConforming("create, replay, read, HEAD, 304, list, next page, replace and delete");
  });

  it("[R6.2] describes every error response the tests receive", async () => {
    const created = await api.post("/projects", { name: "errors" });
    const path = `/projects/${created.body.id}`;
    const key = { "idempotency-key": random.token(16) };
    await api.post("/projects", { name: "a" }, key);
    replies.splice(0);
    await api.get("/projects/3b241101-e2bb-4255-8caf-4136c566a962");
    await api.get("/projects/not-an-id");
    await api.post("/projects", { name: "", priority: 0, extra: 1 });
    await api.post("/projects", { name: "b" }, key);
    await api.post("/projects", { name: "c" }, { "idempotency-key": "" });
    await api.send("POST", "/projects", {
      raw: '{"name":',
      headers: { "content-type": "application/json" },
    });
    await api.send("POST", "/projects", {
      raw: "name=x",
      headers: { "content-type": "text/plain" },
    });
    await api.put(path, { name: "no precondition" });
    await api.put(path, { name: "stale" }, { "if-match": '"stale"' });
    await api.del(path, { "if-match": '"stale"' });
    await api.get("/projects?limit=0");
    await api.get("/projects?cursor=forged");
    expectConforming("404, 422, 400, 415, 428 and 412 answers");
  });
});
