import { useServices } from "@backend-sandbox/testkit";
import { aProject, startApi, type Api } from "#support/api";

const services = useServices();
let api: Api;
beforeAll(async () => {
  api = await startApi(services);
});

describe("conditional-requests", () => {
  it("answers 304 to a GET whose If-None-Match holds the current ETag", async () => {
    const created = await api.post("/projects", aProject());
    const etag = created.headers.get("etag")!;
    expect(etag).toMatch(/^"[^"]*"$/); // strong: no W/ prefix

    const again = await api.get(`/projects/${created.body.id}`, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
  });

  it("refuses a PUT with a stale If-Match with 412", async () => {
    const created = await api.post("/projects", aProject());
    const path = `/projects/${created.body.id}`;
    const etag = created.headers.get("etag")!;
    expect((await api.put(path, aProject("Renamed"), { "if-match": etag })).status).toBe(200);
    expect((await api.put(path, aProject("Lost update"), { "if-match": etag })).status).toBe(412);
  });
});
