import { seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as History from "#src/history";
import { createAccounts } from "#support/create-accounts";
import { useAppPool } from "#support/learner-pool";
import { seedHistory } from "#support/seed-history";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { historyPage } = learner.module<typeof History>("history");

const newestFirst = async (account: number) =>
  (
    await services.pg.query(
      "SELECT id FROM entries WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
      [account],
    )
  ).rows.map((row) => Number(row.id));

describe("queries", () => {
  it("[R4.1, R4.2] pages through an account's history, newest first, each entry once", async () => {
    const accounts = await createAccounts(services.pg, [0, 0, 0], random);
    await seedHistory(services.pg, accounts, 30, new Date("2024-03-01T00:00:00Z"));
    const expected = await newestFirst(accounts[0]!);
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const page: History.HistoryPage = await historyPage(await appPool(), accounts[0]!, {
        limit: 7,
        after,
      });
      seen.push(...page.entries.map((entry) => entry.id));
      after = page.next;
    } while (after !== null && seen.length <= expected.length);
    expect(seen).toEqual(expected);
  });

  it("[R4.4] continues where the previous page ended even when newer entries arrive in between", async () => {
    const accounts = await createAccounts(services.pg, [0, 0], random);
    await seedHistory(services.pg, accounts, 20, new Date("2024-04-01T00:00:00Z"));
    const expected = await newestFirst(accounts[0]!);
    const first = await historyPage(await appPool(), accounts[0]!, { limit: 5 });
    await seedHistory(services.pg, accounts, 4, new Date("2024-05-01T00:00:00Z")); // newer than every entry so far
    const second = await historyPage(await appPool(), accounts[0]!, {
      limit: 5,
      after: first.next,
    });
    expect([...first.entries, ...second.entries].map((entry) => entry.id)).toEqual(
      expected.slice(0, 10),
    );
  });
});
