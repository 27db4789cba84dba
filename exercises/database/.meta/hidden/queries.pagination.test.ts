import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as History from "#src/history";
import { createAccounts } from "#support/create-accounts";
import { learnerPool, useAppPool, type LearnerPool } from "#support/learner-pool";
import { describePlan, explain, planNodes, rowsRead } from "#support/query-plan";
import { startQueryProxy } from "#support/query-proxy";
import { seedHistory } from "#support/seed-history";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { historyPage } = learner.module<typeof History>("history");
/** The `name` of a thrown error (the errors.ts classes set it). */
const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;
let accounts: number[] = [];
const INDEX_NODES = ["Index Scan", "Index Only Scan", "Bitmap Index Scan"];

beforeAll(async () => {
  accounts = await createAccounts(
    services.pg,
    Array.from({ length: 20 }, () => 0),
    random,
  );
  await seedHistory(services.pg, accounts, 50_000, new Date("2024-01-01T00:00:00Z")); // 100k entries
}, 60_000);

const expectedIds = async (account: number) =>
  (
    await services.pg.query(
      "SELECT id FROM entries WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
      [account],
    )
  ).rows.map((r) => Number(r.id));

/** Follows `next` from the first page, at most `pages` pages; returns the ids seen and the last cursor. */
async function walk(account: number, limit: number, pages = Infinity, pool?: LearnerPool) {
  const ids: number[] = [];
  let after: string | null = null;
  for (let n = 0; n < pages; n++) {
    const page: History.HistoryPage = await historyPage(pool ?? (await appPool()), account, {
      limit,
      after,
    });
    ids.push(...page.entries.map((entry) => entry.id));
    after = page.next;
    if (after === null) break;
  }
  return { ids, after };
}

describe("queries: keyset pagination over 100k entries", () => {
  it("[R4.1] returns every entry of an account exactly once, newest first, ties broken by id", async () => {
    const account = random.pick(accounts);
    const limit = random.int(60, 100);
    const { ids } = await walk(account, limit);
    const expected = await expectedIds(account);
    because(
      `expected the ${expected.length} entries of account ${account} in (created_at, id) descending order with pages of ${limit}; got ${ids.length} (seed ${random.seed})`,
      () => expect(ids).toEqual(expected),
    );
  });

  it("[R4.5] reads a deep page through the history index: no sequential scan, no sort, about `limit` rows read", async () => {
    const account = random.pick(accounts);
    const { after } = await walk(account, 100, 40); // 4000 entries deep
    // The queries are read on the wire, between the learner's pool and Postgres, with their parameters.
    const spy = await startQueryProxy(services.databaseUrl);
    await historyPage(await learnerPool(learner, spy.url), account, { limit: 20, after });
    const offsets = spy.queries.filter((q) => /\boffset\b/i.test(q.text));
    because(
      `expected no OFFSET in the page query; saw: ${offsets.map((q) => q.text).join(" | ")}`,
      () => expect(offsets).toEqual([]),
    );
    for (const query of spy.queries.filter((q) => /\bentries\b/i.test(q.text))) {
      const plan = await explain(services.pg, query);
      const nodes = planNodes(plan);
      const what = `plan: ${describePlan(plan)}; query: ${query.text.replace(/\s+/g, " ").trim()}`;
      because(`expected no Seq Scan on entries; ${what}`, () =>
        expect(
          nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "entries"),
        ).toEqual([]),
      );
      because(`expected an index to serve the order (no Sort node); ${what}`, () =>
        expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort"),
      );
      because(`expected an index scan; ${what}`, () =>
        expect(nodes.some((n) => INDEX_NODES.includes(n["Node Type"]))).toBe(true),
      );
      const read = rowsRead(plan, "entries");
      because(
        `expected a page 4000 entries deep to read at most 60 rows of entries, it read ${read}; ${what}`,
        () => expect(read).toBeLessThanOrEqual(60),
      );
    }
  });

  it("[R4.4] stays stable when new entries arrive between pages: page 2 continues where page 1 ended", async () => {
    const [account, other] = await createAccounts(services.pg, [0, 0], random);
    await seedHistory(services.pg, [account!, other!], 60, new Date("2024-06-01T00:00:00Z"));
    const before = await expectedIds(account!);
    const first = await historyPage(await appPool(), account!, { limit: 10 });
    await seedHistory(
      services.pg,
      [account!, other!],
      random.int(3, 9),
      new Date("2024-07-01T00:00:00Z"),
    ); // newer rows
    const second = await historyPage(await appPool(), account!, { limit: 10, after: first.next });
    because(
      `expected page 2 to hold the 10 entries after page 1's last, despite newer inserts (seed ${random.seed})`,
      () =>
        expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(before.slice(0, 20)),
    );
  });

  it("[R4.2] ends with next = null on the page that holds the oldest entry, and an empty history gives one empty page", async () => {
    const [lonely] = await createAccounts(services.pg, [0], random);
    expect(await historyPage(await appPool(), lonely!, { limit: 5 })).toEqual({
      entries: [],
      next: null,
    });
    const pair = await createAccounts(services.pg, [0, 0], random);
    const count = random.int(3, 12);
    await seedHistory(services.pg, pair, count, new Date("2024-08-01T00:00:00Z")); // `count` entries on each account
    const whole = await historyPage(await appPool(), pair[0]!, { limit: count });
    because(
      `expected a page of ${count} holding all ${count} entries to end with next = null (seed ${random.seed})`,
      () =>
        expect({ entries: whole.entries.length, next: whole.next }).toEqual({
          entries: count,
          next: null,
        }),
    );
    const first = await historyPage(await appPool(), pair[0]!, { limit: count - 1 });
    because(`expected a page of ${count - 1} out of ${count} entries to carry a cursor`, () =>
      expect(first.next).not.toBeNull(),
    );
    const last = await historyPage(await appPool(), pair[0]!, {
      limit: count - 1,
      after: first.next,
    });
    because("expected the page with the oldest entry to end with next = null", () =>
      expect({ entries: last.entries.length, next: last.next }).toEqual({ entries: 1, next: null }),
    );
  });

  it("[R4.2] serves 20 entries per page when limit is left out", async () => {
    const account = random.pick(accounts);
    const page = await historyPage(await appPool(), account);
    const expected = (await expectedIds(account)).slice(0, 20);
    because(
      `expected the default page size 20: the 20 newest entries, got ${page.entries.length} entries`,
      () => expect(page.entries.map((e) => e.id)).toEqual(expected),
    );
    expect(page.next).not.toBeNull();
  });

  it("[R4.2] accepts the bounds: limit 1 gives a page of one entry, limit 100 a page of a hundred", async () => {
    const account = random.pick(accounts);
    const expected = await expectedIds(account);
    for (const limit of [1, 100]) {
      const page = await historyPage(await appPool(), account, { limit });
      because(
        `expected limit ${limit} to give the ${limit} newest of ${expected.length} entries and a cursor, got ${page.entries.length} entries and next ${JSON.stringify(page.next)}`,
        () =>
          expect({ ids: page.entries.map((e) => e.id), more: page.next !== null }).toEqual({
            ids: expected.slice(0, limit),
            more: true,
          }),
      );
    }
  });

  it("[R4.2] refuses a limit outside 1..100 or not an integer with ValidationError", async () => {
    for (const limit of [0, -1, 101, 2.5, Number.NaN, "10"]) {
      const error = await historyPage(await appPool(), accounts[0]!, {
        limit: limit as number,
      }).catch((e: unknown) => e);
      because(
        `expected historyPage({ limit: ${JSON.stringify(limit)} }) to throw ValidationError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
  });

  it("[R4.3] issues base64url cursors of at most 200 characters, and refuses an empty, overlong, foreign-alphabet or non-string cursor", async () => {
    const account = random.pick(accounts);
    const cursor = (await historyPage(await appPool(), account, { limit: random.int(1, 30) }))
      .next!;
    because(
      `expected a cursor of 1 to 200 base64url characters, got ${JSON.stringify(cursor)}`,
      () => expect(cursor).toMatch(/^[A-Za-z0-9_-]{1,200}$/),
    );
    const cut = Math.max(1, Math.floor(cursor.length / 2));
    const malformed: Record<string, unknown> = {
      empty: "",
      "201 characters": "A".repeat(201),
      "a megabyte": "A".repeat(1_000_000),
      "a cursor longer than 200": cursor + "A".repeat(201 - cursor.length),
      "a dot inside": `${cursor.slice(0, cut)}.${cursor.slice(cut)}`,
      "a trailing =": `${cursor}=`,
      "a +": `+${cursor}`,
      "a slash": `${cursor}/`,
      "a space": ` ${cursor}`,
      "a newline": `${cursor}\n`,
      "a NUL": `${cursor}\u0000`,
      "non-ASCII": `${cursor}é`,
      SQL: "definitely-not-a-cursor' OR 1=1 --",
      "a number": 42,
      "an object": { id: 1 },
    };
    for (const [shape, after] of Object.entries(malformed)) {
      const error = await historyPage(await appPool(), account, { after: after as string }).catch(
        (e: unknown) => e,
      );
      because(
        `expected a cursor with ${shape} to throw ValidationError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
  });

  it("[R4.3] reads a tampered cursor as some position or refuses it with ValidationError, never failing otherwise", async () => {
    const [account, other] = [accounts[0]!, accounts[1]!];
    const mine = (await historyPage(await appPool(), account, { limit: random.int(1, 50) })).next!;
    const theirs = (await historyPage(await appPool(), other, { limit: random.int(1, 50) })).next!;
    const tampered: Record<string, string> = {
      "cut by one": mine.slice(0, -1),
      "cut to half": mine.slice(0, Math.max(1, mine.length >> 1)),
      "cut to one character": mine.slice(0, 1),
      "one more character": `${mine}A`,
      "four more characters": `${mine}AAAA`,
      "glued to another": `${mine}${theirs}`,
      "of another account": theirs,
      "a random token": random.token(16),
      "only dashes": "-".repeat(12),
      "a long one": "Zz".repeat(100),
    };
    for (const [shape, after] of Object.entries(tampered)) {
      const outcome = await historyPage(await appPool(), account, { limit: 5, after }).then(
        (page) =>
          Array.isArray(page.entries) ? "a page" : `a strange answer: ${JSON.stringify(page)}`,
        (error: unknown) =>
          nameOf(error) === "ValidationError"
            ? "ValidationError"
            : `${(error as { code?: string })?.code ?? ""} ${String(error)}`,
      );
      because(
        `expected a cursor ${shape} (${JSON.stringify(after.slice(0, 60))}) to give a page or ValidationError, got ${outcome}`,
        () => expect(["a page", "ValidationError"]).toContain(outcome),
      );
    }
  });
});
