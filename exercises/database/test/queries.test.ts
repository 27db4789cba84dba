import { seededRandom, useServices } from "@backend-sandbox/testkit";
import { historyPage } from "#src/history";
import { migrate } from "#src/migrations";
import { createAccounts, seedHistory } from "#support/seed";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));

describe("queries", () => {
  it("pages through an account's history, newest first, each entry once", async () => {
    const accounts = await createAccounts(services.pg, [0, 0, 0], random);
    await seedHistory(services.pg, accounts, 30, new Date("2024-03-01T00:00:00Z"));
    const { rows } = await services.pg.query(
      "SELECT id FROM entries WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
      [accounts[0]],
    );
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const page = await historyPage(services.pg, accounts[0]!, { limit: 7, after });
      seen.push(...page.entries.map((entry) => entry.id));
      after = page.next;
    } while (after !== null && seen.length <= rows.length);
    expect(seen).toEqual(rows.map((row) => Number(row.id)));
  });
});
