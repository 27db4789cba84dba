import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { ValidationError } from "#src/errors";
import { historyPage } from "#src/history";
import { migrate } from "#src/migrations";
import { describePlan, explain, planNodes, rowsRead } from "#support/query-plan";
import { spyOnPool } from "#support/query-spy";
import { createAccounts, seedHistory } from "#support/seed";

const services = useServices();
const random = seededRandom();
let accounts: number[] = [];
const INDEX_NODES = ["Index Scan", "Index Only Scan", "Bitmap Index Scan"];

beforeAll(async () => {
  await migrate(services.pg);
  accounts = await createAccounts(services.pg, Array.from({ length: 20 }, () => 0), random);
  await seedHistory(services.pg, accounts, 50_000, new Date("2024-01-01T00:00:00Z")); // 100k entries
}, 60_000);

const expectedIds = async (account: number) =>
  (await services.pg.query("SELECT id FROM entries WHERE account_id = $1 ORDER BY created_at DESC, id DESC", [account])).rows.map((r) => Number(r.id));

/** Follows `next` from the first page, at most `pages` pages; returns the ids seen and the last cursor. */
async function walk(account: number, limit: number, pages = Infinity, pool = services.pg) {
  const ids: number[] = [];
  let after: string | null = null;
  for (let n = 0; n < pages; n++) {
    const page = await historyPage(pool, account, { limit, after });
    ids.push(...page.entries.map((entry) => entry.id));
    after = page.next;
    if (after === null) break;
  }
  return { ids, after };
}

describe("queries: keyset pagination over 100k entries", () => {
  it("returns every entry of an account exactly once, newest first, ties broken by id", async () => {
    const account = random.pick(accounts);
    const limit = random.int(60, 100);
    const { ids } = await walk(account, limit);
    const expected = await expectedIds(account);
    because(`expected the ${expected.length} entries of account ${account} in (created_at, id) descending order with pages of ${limit}; got ${ids.length} (seed ${random.seed})`,
      () => expect(ids).toEqual(expected));
  });

  it("reads a deep page through the history index: no sequential scan, no sort, about `limit` rows read", async () => {
    const account = random.pick(accounts);
    const { after } = await walk(account, 100, 40); // 4000 entries deep
    const spy = spyOnPool(services.pg);
    await historyPage(spy.pool, account, { limit: 20, after });
    const offsets = spy.queries.filter((q) => /\boffset\b/i.test(q.text));
    because(`expected no OFFSET in the page query; saw: ${offsets.map((q) => q.text).join(" | ")}`, () => expect(offsets).toEqual([]));
    for (const query of spy.queries.filter((q) => /\bentries\b/i.test(q.text))) {
      const plan = await explain(services.pg, query);
      const nodes = planNodes(plan);
      const what = `plan: ${describePlan(plan)}; query: ${query.text.replace(/\s+/g, " ").trim()}`;
      because(`expected no Seq Scan on entries; ${what}`, () =>
        expect(nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "entries")).toEqual([]));
      because(`expected an index to serve the order (no Sort node); ${what}`, () => expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort"));
      because(`expected an index scan; ${what}`, () => expect(nodes.some((n) => INDEX_NODES.includes(n["Node Type"]))).toBe(true));
      const read = rowsRead(plan, "entries");
      because(`expected a page 4000 entries deep to read at most 60 rows of entries, it read ${read}; ${what}`, () => expect(read).toBeLessThanOrEqual(60));
    }
  });

  it("stays stable when new entries arrive between pages: page 2 continues where page 1 ended", async () => {
    const [account, other] = await createAccounts(services.pg, [0, 0], random);
    await seedHistory(services.pg, [account!, other!], 60, new Date("2024-06-01T00:00:00Z"));
    const before = await expectedIds(account!);
    const first = await historyPage(services.pg, account!, { limit: 10 });
    await seedHistory(services.pg, [account!, other!], random.int(3, 9), new Date("2024-07-01T00:00:00Z")); // newer rows
    const second = await historyPage(services.pg, account!, { limit: 10, after: first.next });
    because(`expected page 2 to hold the 10 entries after page 1's last, despite newer inserts (seed ${random.seed})`, () =>
      expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(before.slice(0, 20)));
  });

  it("ends with next = null on the last page, and an empty history gives one empty page", async () => {
    const [lonely] = await createAccounts(services.pg, [0], random);
    expect(await historyPage(services.pg, lonely!, { limit: 5 })).toEqual({ entries: [], next: null });
  });

  it("refuses a malformed cursor and a limit outside 1..100 with ValidationError", async () => {
    const account = accounts[0]!;
    const bad = [{ after: "definitely-not-a-cursor' OR 1=1 --" }, { limit: 0 }, { limit: 101 }, { limit: 2.5 }];
    for (const options of bad) {
      const error = await historyPage(services.pg, account, options).catch((e: unknown) => e);
      because(`expected historyPage(${JSON.stringify(options)}) to throw ValidationError, got ${String(error)}`, () =>
        expect(error).toBeInstanceOf(ValidationError));
    }
  });
});
