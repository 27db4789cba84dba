import { manualClock } from "@backend-sandbox/testkit";
import { nextLink } from "#support/link-header";
import { useApi } from "#support/use-api";

const clock = manualClock(Date.parse("2025-03-01T09:00:00.000Z"));
const api = useApi({ now: clock.date });

describe("pagination", () => {
  it('[R3.1, R3.3, R3.6, R3.7] pages through projects, newest first, by following Link rel="next"', async () => {
    for (const name of ["first", "second", "third", "fourth", "fifth"]) {
      clock.advance(1000);
      expect((await api.post("/projects", { name })).status).toBe(201);
    }
    const first = await api.get("/projects?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: { name: string }) => p.name)).toEqual(["fifth", "fourth"]);

    const names: string[] = [];
    let path: string | undefined = "/projects?limit=2";
    while (path) {
      const page = await api.get(path);
      names.push(...page.body.items.map((p: { name: string }) => p.name));
      path = nextLink(page.headers.get("link"), api.url);
    }
    expect(names).toEqual(["fifth", "fourth", "third", "second", "first"]);
  });

  it("[R3.8] answers 400 to a cursor it did not issue, or one cut short", async () => {
    expect((await api.get("/projects?cursor=not-a-cursor")).status).toBe(400);
    const next = nextLink((await api.get("/projects?limit=1")).headers.get("link"), api.url)!;
    const cursor = new URL(next, api.url).searchParams.get("cursor")!;
    expect(
      (await api.get(`/projects?limit=1&cursor=${encodeURIComponent(cursor.slice(0, -1))}`)).status,
    ).toBe(400);
  });
});
