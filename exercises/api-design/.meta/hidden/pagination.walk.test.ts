import {
  because,
  manualClock,
  seededRandom,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import type { Api } from "#support/api-client";
import { linksIn } from "#support/link-header";
import { startAnotherApi, startApi } from "#support/start-api";
import { walk } from "#support/walk";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const clock = manualClock(Date.parse("2025-03-01T09:00:00.000Z"));
const seed = `(seed ${random.seed})`;
let api: Api;
let other: Api; // a second instance on the same database
const seeded: { id: string; name: string; status: string; priority: number; createdAt: string }[] =
  [];

beforeAll(async () => {
  const options = { now: clock.date, cursorSecret: "walk-secret" };
  api = await startApi(learner, services, options);
  other = await startAnotherApi(services, options);
  // 57 projects in bursts that share a createdAt to the millisecond, and names that repeat.
  while (seeded.length < 57) {
    clock.advance(random.int(1, 3) * 1000);
    const burst = random.int(1, 6);
    const made = await Promise.all(
      Array.from({ length: burst }, () =>
        api.post("/projects", {
          name: random.pick(["alpha", "beta", "gamma"]),
          status: random.pick(["active", "archived"]),
          priority: random.int(1, 2),
        }),
      ),
    );
    seeded.push(...made.map((reply) => reply.body));
  }
}, 60_000);

const byDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
const newestFirst = (a: (typeof seeded)[0], b: (typeof seeded)[0]) =>
  byDesc(a.createdAt, b.createdAt) || byDesc(a.id, b.id);
const ids = (pages: { items: { id: string }[] }[]) =>
  pages.flatMap((page) => page.items.map((item) => item.id));
const duplicates = (list: string[]) => list.filter((id, i) => list.indexOf(id) !== i);

describe("pagination", () => {
  it("[R3.1, R3.2, R3.3, R3.6, R3.7] walks every project exactly once, newest first with the id as tie-breaker, even across instances", async () => {
    const limit = random.int(4, 9);
    let turn = 0;
    const pages = await walk(
      (path) => (turn++ % 2 === 0 ? api : other).get(path),
      api.url,
      `/projects?limit=${limit}`,
    );
    const expected = [...seeded].sort(newestFirst).map((p) => p.id);
    because(
      `expected ${expected.length} projects in (createdAt desc, id desc) order over pages of ${limit} ${seed}; got ${ids(pages).length} with duplicates [${duplicates(ids(pages))}]`,
      () => expect(ids(pages)).toEqual(expected),
    );
    pages.forEach((page, i) => {
      const next = linksIn(page.link).get("next");
      const last = i === pages.length - 1;
      because(
        `expected page ${i + 1} of ${pages.length} to have ${last ? "no" : "a"} rel="next" link carrying limit=${limit}; got Link: ${page.link}`,
        () => {
          expect(next === undefined).toBe(last);
          if (next) expect(new URL(next, api.url).searchParams.get("limit")).toBe(String(limit));
          expect(page.items.length).toBe(last ? expected.length - limit * i : limit);
        },
      );
    });
  });

  it("[R3.7] neither skips nor repeats a project while others are inserted and deleted during the walk", async () => {
    const limit = random.int(4, 7);
    const deleted = new Set<string>();
    let seen: string[] = [];
    const get = async (path: string) => {
      const reply = await api.get(path);
      seen = seen.concat(reply.body?.items?.map((p: { id: string }) => p.id) ?? []);
      clock.advance(1000); // new projects are the newest: they land before the cursor
      await Promise.all([
        api.post("/projects", { name: "late" }),
        api.post("/projects", { name: "later" }),
      ]);
      const victim = seen[random.int(0, seen.length - 1)];
      if (victim && !deleted.has(victim) && seeded.some((p) => p.id === victim)) {
        deleted.add(victim);
        await api.del(`/projects/${victim}`);
      }
      return reply;
    };
    await walk(get, api.url, `/projects?limit=${limit}`);
    const missing = seeded.filter((p) => !seen.includes(p.id)).map((p) => p.id);
    because(
      `expected every project that existed when the walk began to appear exactly once (pages of ${limit}) ${seed}; missing [${missing}], repeated [${duplicates(seen)}]`,
      () => {
        expect(duplicates(seen)).toEqual([]);
        expect(missing).toEqual([]);
      },
    );
  });

  it("[R3.3, R3.4, R3.6] sorts by name with the id as tie-breaker, and keeps filters on every next link", async () => {
    const live = (await walk(api.get, api.url, "/projects?limit=50")).flatMap((page) => page.items);
    const status = random.pick(["active", "archived"]);
    const priority = random.int(1, 2);
    const limit = random.int(2, 4);
    const pages = await walk(
      api.get,
      api.url,
      `/projects?sort=name&status=${status}&priority=${priority}&limit=${limit}`,
    );
    const expected = live
      .filter((p) => p.status === status && p.priority === priority)
      .sort((a, b) => byDesc(b.name, a.name) || byDesc(b.id, a.id))
      .map((p) => p.id);
    because(
      `expected the ${expected.length} projects with status=${status} and priority=${priority} once each, by name then id ascending ${seed}; got ${ids(pages).length}: repeated [${duplicates(ids(pages))}]`,
      () => expect(ids(pages)).toEqual(expected),
    );
  });

  it("[R3.3, R3.7] walks the createdAt and -name sorts in their order, the id breaking ties the same way", async () => {
    const live = (await walk(api.get, api.url, "/projects?limit=50")).flatMap((page) => page.items);
    const orders: [string, (a: (typeof live)[0], b: (typeof live)[0]) => number][] = [
      ["createdAt", (a, b) => byDesc(b.createdAt, a.createdAt) || byDesc(b.id, a.id)],
      ["-name", (a, b) => byDesc(a.name, b.name) || byDesc(a.id, b.id)],
    ];
    for (const [sort, order] of orders) {
      const limit = random.int(4, 9);
      const pages = await walk(api.get, api.url, `/projects?sort=${sort}&limit=${limit}`);
      const expected = [...live].sort(order).map((p) => p.id);
      because(
        `expected the ${expected.length} projects once each in sort=${sort} order over pages of ${limit} ${seed}; got ${ids(pages).length}: repeated [${duplicates(ids(pages))}]`,
        () => expect(ids(pages)).toEqual(expected),
      );
    }
  });
});
