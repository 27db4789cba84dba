import { aProject } from "#support/a-project";
import { useApi } from "#support/use-api";

const api = useApi();

describe("conditional-requests", () => {
  it("[R4.1, R4.2] answers 304 to a GET whose If-None-Match holds the current ETag", async () => {
    const created = await api.post("/projects", aProject());
    const etag = created.headers.get("etag")!;
    expect(etag).toMatch(/^"[^"]*"$/); // strong: no W/ prefix

    const again = await api.get(`/projects/${created.body.id}`, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
  });

  it("[R4.3, R4.4] requires If-Match on PUT (428) and refuses a stale one with 412", async () => {
    const created = await api.post("/projects", aProject());
    const path = `/projects/${created.body.id}`;
    const etag = created.headers.get("etag")!;
    expect((await api.put(path, aProject("No precondition"))).status).toBe(428);
    expect((await api.put(path, aProject("Renamed"), { "if-match": etag })).status).toBe(200);
    expect((await api.put(path, aProject("Lost update"), { "if-match": etag })).status).toBe(412);
  });

  it("[R4.8] lets exactly one of two concurrent PUTs with the same ETag win", async () => {
    const created = await api.post("/projects", aProject());
    const path = `/projects/${created.body.id}`;
    const etag = { "if-match": created.headers.get("etag")! };
    const replies = await Promise.all([
      api.put(path, aProject("Alice"), etag),
      api.put(path, aProject("Bob"), etag),
    ]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 412]);
  });
});
