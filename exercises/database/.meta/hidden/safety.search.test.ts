import { because, seededRandom, timed, useLearner } from "@backend-sandbox/testkit";
import type * as Search from "#src/search";
import { useAppPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const search = learner.module<typeof Search>("search");
const searchAccounts = async (options: Search.SearchOptions) =>
  search.searchAccounts(await appPool(), options);
/** The `name` of a thrown error (the errors.ts classes set it). */
const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;
const tag = random.token(6);
const people = [
  ["ann", "Ann O'Hara"],
  ["bob", "Bob 100% Real"],
  ["cat", "Cat_Fish"],
  ["dan", "Dan Smith"],
  ["eve", "Ève Zoë"],
  ["fay", "Fay; DROP"],
  ["gus", "Gus\\Back"],
  ["hal", "Hal Catfish"],
];

beforeAll(async () => {
  for (const [local, name] of people) {
    await services.pg.query("INSERT INTO accounts (email, name, balance) VALUES ($1, $2, $3)", [
      `${local}.${tag}@example.test`,
      name,
      random.int(0, 999),
    ]);
  }
});

const names = async (options: Search.SearchOptions) =>
  (await searchAccounts(options)).map((a) => a.name);

describe("safety: search cannot inject SQL", () => {
  it.each([
    ["' OR 1=1 --", []],
    ["'; DROP TABLE accounts; --", []],
    ["%", ["Bob 100% Real"]],
    ["_", ["Cat_Fish"]],
    ["'", ["Ann O'Hara"]],
    ["\\", ["Gus\\Back"]],
    ["VE ZOë", ["Ève Zoë"]],
    ["catfish", ["Hal Catfish"]],
  ])("[R5.1] matches q = %j literally and case-insensitively", async (q, expected) => {
    const found = await names({ q, sort: "name" });
    because(
      `expected q=${JSON.stringify(q)} to find ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`,
      () => expect(found).toEqual(expected),
    );
  });

  it("[R5.1] matches the email as well as the name", async () => {
    expect(await names({ q: `dan.${tag}@` })).toEqual(["Dan Smith"]);
  });

  it("[R5.1] still has every account after the hostile searches", async () => {
    const { rows } = await services.pg.query("SELECT count(*) AS n FROM accounts");
    because("expected the accounts table intact with its 8 rows", () =>
      expect(Number(rows[0].n)).toBe(people.length),
    );
  });

  it.each([
    "name; DROP TABLE accounts",
    "(SELECT pg_sleep(3))",
    "balance DESC, pg_sleep(3)",
    "1",
    "password",
    "constructor",
    "__proto__",
  ])("[R5.3] refuses sort = %j quickly with ValidationError", async (sort) => {
    const { value: error, ms } = await timed(() =>
      searchAccounts({ sort }).catch((e: unknown) => e),
    );
    because(
      `expected sort=${JSON.stringify(sort)} to be refused with ValidationError, got ${String(error)}`,
      () => expect(nameOf(error)).toBe("ValidationError"),
    );
    because(`expected the refusal within 1000 ms, took ${Math.round(ms)} ms`, () =>
      expect(ms).toBeLessThan(1000),
    );
  });

  it("[R5.3] refuses an order other than asc or desc, and a limit outside 1..100, with ValidationError", async () => {
    for (const options of [
      { order: "DESC; DROP TABLE accounts" },
      { order: "sideways" },
      { order: "asc, (SELECT 1)" },
      { order: "constructor" },
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { limit: "5; SELECT pg_sleep(3)" as unknown as number },
    ]) {
      const error = await searchAccounts(options).catch((e: unknown) => e);
      because(
        `expected ${JSON.stringify(options)} to be refused with ValidationError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
  });

  it("[R5.3] refuses a q that is not a string of at most 200 characters with ValidationError, and searches with 200", async () => {
    const long = random.token(201);
    for (const q of [42, ["ann"], { q: "ann" }, long, "x".repeat(1_000_000)]) {
      const error = await searchAccounts({ q: q as string }).catch((e: unknown) => e);
      because(
        `expected q = ${JSON.stringify(q).slice(0, 40)} (${typeof q === "string" ? `${q.length} characters` : typeof q}) to be refused with ValidationError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
    const found = await searchAccounts({ q: long.slice(0, 200) }).catch((e: unknown) => e);
    because(
      `expected a q of 200 characters to be searched (no account matches it), got ${String(found)}`,
      () => expect(found).toEqual([]),
    );
  });

  it.each(["id", "email", "name", "balance", "created_at"])(
    "[R5.2] sorts by %s in both directions, ties by id",
    async (sort) => {
      for (const order of ["asc", "desc"]) {
        const found = (await searchAccounts({ sort, order })).map((a) => a.id);
        const dir = order === "asc" ? "ASC" : "DESC";
        const { rows } = await services.pg.query(
          `SELECT id FROM accounts ORDER BY ${sort} ${dir}, id ${dir}`,
        );
        because(
          `expected sort=${sort} order=${order} to return ids ${rows.map((r) => r.id).join(",")}`,
          () => expect(found).toEqual(rows.map((r) => Number(r.id))),
        );
      }
    },
  );

  it("[R5.2] returns at most `limit` accounts, the first ones in order, down to a limit of 1", async () => {
    const { rows } = await services.pg.query("SELECT id FROM accounts ORDER BY id");
    for (const limit of [1, random.int(2, 5)]) {
      const found = (await searchAccounts({ limit })).map((a) => a.id);
      because(`expected limit ${limit} to return the first ${limit} accounts by id`, () =>
        expect(found).toEqual(rows.slice(0, limit).map((r) => Number(r.id))),
      );
    }
  });

  // Runs last: it adds accounts that the tests above would count.
  it("[R5.2] sorts by id ascending and returns 50 accounts when sort, order and limit are left out", async () => {
    const more = `more${random.token(6)}`;
    const total = random.int(55, 70);
    // created_at and names run against the ids, so a default of created_at or name shows.
    for (let i = 0; i < total; i++) {
      await services.pg.query(
        "INSERT INTO accounts (email, name, balance, created_at) VALUES ($1, $2, $3, $4)",
        [
          `${more}.${i}@example.test`,
          `Zed ${String(total - i).padStart(3, "0")}`,
          random.int(0, 999),
          new Date(Date.UTC(2024, 0, 1) - i * 60_000),
        ],
      );
    }
    const { rows } = await services.pg.query(
      "SELECT id FROM accounts WHERE email LIKE $1 ORDER BY id",
      [`${more}.%`],
    );
    const ids = rows.map((r) => Number(r.id));
    const found = (await searchAccounts({ q: more })).map((a) => a.id);
    because(
      `expected the first 50 of ${total} matches by id ascending (seed ${random.seed}), got ${found.length}: ${found.slice(0, 5).join(",")}...`,
      () => expect(found).toEqual(ids.slice(0, 50)),
    );
    const byBalance = (await searchAccounts({ q: more, sort: "balance", limit: 100 })).map(
      (a) => a.balance,
    );
    because("expected order to default to asc", () =>
      expect(byBalance).toEqual([...byBalance].sort((x, y) => x - y)),
    );
    const descending = (await searchAccounts({ q: more, order: "desc", limit: 100 })).map(
      (a) => a.id,
    );
    because("expected sort to default to id when only order is given", () =>
      expect(descending).toEqual([...ids].reverse()),
    );
  });
});
