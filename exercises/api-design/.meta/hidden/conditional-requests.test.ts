import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { startApi, type Api } from "#support/api";
import { describeReply } from "#support/problem";

const services = useServices();
const random = seededRandom();
let api: Api;
beforeAll(async () => {
  api = await startApi(services);
});
const STRONG = /^"[\x21\x23-\x7e]*"$/;

async function aProjectWithTag() {
  const created = await api.post("/projects", { name: `Tagged ${random.token(6)}` });
  const path = `/projects/${created.body.id}`;
  const read = await api.get(path);
  return { path, created, etag: read.headers.get("etag") ?? "" };
}

describe("conditional-requests", () => {
  it("sends a strong ETag on 201 and 200, the same for the same state", async () => {
    const { created, etag } = await aProjectWithTag();
    because(`expected a strong ETag (no W/) on GET that equals the one on 201; got GET ${etag}, 201 ${created.headers.get("etag")}`, () => {
      expect(etag).toMatch(STRONG);
      expect(created.headers.get("etag")).toBe(etag);
    });
  });

  it("answers If-None-Match with 304 by weak comparison, and 200 when no tag matches", async () => {
    const { path, etag } = await aProjectWithTag();
    const cases: [string, number][] = [[etag, 304], [`W/${etag}`, 304], [`"nope", ${etag}`, 304], ["*", 304], ['"nope"', 200]];
    for (const [header, status] of cases) {
      for (const method of ["GET", "HEAD"]) {
        const reply = await api.send(method, path, { headers: { "if-none-match": header } });
        because(`expected ${method} with If-None-Match: ${header} (current ${etag}) to be ${status}; got ${describeReply(reply)}`, () => {
          expect(reply.status).toBe(status);
          expect(reply.headers.get("etag")).toBe(etag);
          if (status === 304) expect(reply.text).toBe("");
        });
      }
    }
  });

  it("requires If-Match on PUT with 428 and refuses a stale or weak one with 412, leaving the project as it was", async () => {
    const { path, etag } = await aProjectWithTag();
    const before = (await api.get(path)).body;
    const stale = await api.put(path, { name: "first writer" }, { "if-match": etag });
    expect(stale.status).toBe(200);
    const current = stale.headers.get("etag")!;
    const cases: [Record<string, string>, number][] = [[{}, 428], [{ "if-match": etag }, 412], [{ "if-match": `W/${current}` }, 412], [{ "if-match": '"other"' }, 412]];
    for (const [headers, status] of cases) {
      const reply = await api.put(path, { name: "lost update" }, headers);
      because(`expected PUT with If-Match ${headers["if-match"] ?? "(none)"} (current ${current}) to be ${status}; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(status),
      );
    }
    const after = await api.get(path);
    because(`expected the refused PUTs to change nothing; got ${describeReply(after)}`, () =>
      expect(after.body).toEqual({ ...before, name: "first writer", updatedAt: after.body.updatedAt }),
    );
  });

  it("accepts the current ETag (or *) and answers with a new one", async () => {
    const { path, etag } = await aProjectWithTag();
    const name = `Renamed ${random.token(6)}`;
    const put = await api.put(path, { name }, { "if-match": `"other", ${etag}` });
    const read = await api.get(path);
    because(`expected 200 and a new ETag that GET then returns; got ${describeReply(put)} ETag ${put.headers.get("etag")}, GET ETag ${read.headers.get("etag")}`, () => {
      expect(put.status).toBe(200);
      expect(put.headers.get("etag")).toMatch(STRONG);
      expect(put.headers.get("etag")).not.toBe(etag);
      expect(read.headers.get("etag")).toBe(put.headers.get("etag"));
      expect(read.body.name).toBe(name);
    });
    expect((await api.put(path, { name: "star" }, { "if-match": "*" })).status).toBe(200);
  });

  it("answers 404, not 412 or 428, for a project that does not exist", async () => {
    const path = "/projects/3b241101-e2bb-4255-8caf-4136c566a962";
    for (const headers of [{}, { "if-match": '"v1"' }, { "if-match": "*" }] as Record<string, string>[]) {
      const reply = await api.put(path, { name: "ghost" }, headers);
      because(`expected PUT of a missing project with If-Match ${JSON.stringify(headers)} to be 404; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(404),
      );
    }
  });

  it("honours If-Match on DELETE", async () => {
    const { path, etag } = await aProjectWithTag();
    await api.put(path, { name: "moved on" }, { "if-match": etag });
    const stale = await api.del(path, { "if-match": etag });
    because(`expected DELETE with a stale If-Match to be 412; got ${describeReply(stale)}`, () => expect(stale.status).toBe(412));
    expect((await api.get(path)).status).toBe(200);
    const current = (await api.get(path)).headers.get("etag")!;
    expect((await api.del(path, { "if-match": current })).status).toBe(204);
  });
});
