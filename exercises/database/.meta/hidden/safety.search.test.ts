import { because, seededRandom, timed, useServices } from "@backend-sandbox/testkit";
import { ValidationError } from "#src/errors";
import { migrate } from "#src/migrations";
import { searchAccounts } from "#src/search";

const services = useServices();
const random = seededRandom();
const tag = random.token(6);
const people = [
  ["ann", "Ann O'Hara"], ["bob", "Bob 100% Real"], ["cat", "Cat_Fish"], ["dan", "Dan Smith"],
  ["eve", "Ève Zoë"], ["fay", "Fay; DROP"], ["gus", "Gus\\Back"], ["hal", "Hal Catfish"],
];

beforeAll(async () => {
  await migrate(services.pg);
  for (const [local, name] of people) {
    await services.pg.query("INSERT INTO accounts (email, name, balance) VALUES ($1, $2, $3)", [`${local}.${tag}@example.test`, name, random.int(0, 999)]);
  }
});

const names = async (options: Parameters<typeof searchAccounts>[1]) => (await searchAccounts(services.pg, options)).map((a) => a.name);

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
  ])("matches q = %j literally and case-insensitively", async (q, expected) => {
    const found = await names({ q, sort: "name" });
    because(`expected q=${JSON.stringify(q)} to find ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`, () => expect(found).toEqual(expected));
  });

  it("matches the email as well as the name", async () => {
    expect(await names({ q: `dan.${tag}@` })).toEqual(["Dan Smith"]);
  });

  it("still has every account after the hostile searches", async () => {
    const { rows } = await services.pg.query("SELECT count(*) AS n FROM accounts");
    because("expected the accounts table intact with its 8 rows", () => expect(Number(rows[0].n)).toBe(people.length));
  });

  it.each(["name; DROP TABLE accounts", "(SELECT pg_sleep(3))", "balance DESC, pg_sleep(3)", "1", "password", "constructor", "__proto__"])(
    "refuses sort = %j quickly with ValidationError", async (sort) => {
      const { value: error, ms } = await timed(() => searchAccounts(services.pg, { sort }).catch((e: unknown) => e));
      because(`expected sort=${JSON.stringify(sort)} to be refused with ValidationError, got ${String(error)}`, () => expect(error).toBeInstanceOf(ValidationError));
      because(`expected the refusal within 1000 ms, took ${Math.round(ms)} ms`, () => expect(ms).toBeLessThan(1000));
    });

  it("refuses an order other than asc or desc with ValidationError", async () => {
    for (const order of ["DESC; DROP TABLE accounts", "sideways", "asc, (SELECT 1)"]) {
      await expect(searchAccounts(services.pg, { order })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it.each(["id", "email", "name", "balance", "created_at"])("sorts by %s in both directions, ties by id", async (sort) => {
    for (const order of ["asc", "desc"]) {
      const found = (await searchAccounts(services.pg, { sort, order })).map((a) => a.id);
      const dir = order === "asc" ? "ASC" : "DESC";
      const { rows } = await services.pg.query(`SELECT id FROM accounts ORDER BY ${sort} ${dir}, id ${dir}`);
      because(`expected sort=${sort} order=${order} to return ids ${rows.map((r) => r.id).join(",")}`, () =>
        expect(found).toEqual(rows.map((r) => Number(r.id))));
    }
  });

  it("returns at most `limit` accounts", async () => {
    const limit = random.int(2, 5);
    expect(await searchAccounts(services.pg, { limit })).toHaveLength(limit);
  });
});
