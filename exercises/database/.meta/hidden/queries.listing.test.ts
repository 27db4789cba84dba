import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as History from "#src/history";
import { createAccounts } from "#support/create-accounts";
import { learnerPool, useAppPool } from "#support/learner-pool";
import { startQueryProxy } from "#support/query-proxy";
import { seedHistory } from "#support/seed-history";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { listAccountsWithLatest } = learner.module<typeof History>("history");
/** The `name` of a thrown error (the errors.ts classes set it). */
const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

/** What the listing must return, computed here with plain SQL. */
async function expectedListing(latest: number) {
  const { rows: accounts } = await services.pg.query(
    "SELECT id, email, balance FROM accounts ORDER BY id",
  );
  return Promise.all(
    accounts.map(async (account) => {
      const { rows } = await services.pg.query(
        "SELECT id, transfer_id, account_id, amount, created_at FROM entries WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        [account.id, latest],
      );
      return {
        id: Number(account.id),
        email: account.email,
        balance: Number(account.balance),
        latest: rows.map((r) => ({
          id: Number(r.id),
          transferId: Number(r.transfer_id),
          accountId: Number(r.account_id),
          amount: Number(r.amount),
          createdAt: r.created_at,
        })),
      };
    }),
  );
}

describe("queries: accounts with their latest entries", () => {
  it("[R4.6] lists every account with its newest entries, including accounts without any", async () => {
    const busy = await createAccounts(
      services.pg,
      Array.from({ length: random.int(8, 15) }, () => random.int(0, 900)),
      random,
    );
    await createAccounts(services.pg, [random.int(0, 900), random.int(0, 900)], random); // no history
    await seedHistory(services.pg, busy, random.int(100, 300), new Date("2024-02-01T00:00:00Z"));
    const latest = random.int(2, 5);
    const listing = await listAccountsWithLatest(await appPool(), { latest });
    const expected = await expectedListing(latest);
    because(
      `expected every account by id with its ${latest} newest entries, newest first (seed ${random.seed})`,
      () => expect(listing).toEqual(expected),
    );
  });

  it("[R4.6] gives each account its 3 newest entries when latest is left out", async () => {
    const listing = await listAccountsWithLatest(await appPool());
    const expected = await expectedListing(3);
    because("expected the default latest = 3", () => expect(listing).toEqual(expected));
  });

  it("[R4.6] accepts latest from 1 to 50 and refuses anything else with ValidationError", async () => {
    for (const latest of [1, 50]) {
      const listing = await listAccountsWithLatest(await appPool(), { latest });
      const expected = await expectedListing(latest);
      because(`expected latest = ${latest} to list each account's ${latest} newest entries`, () =>
        expect(listing).toEqual(expected),
      );
    }
    for (const latest of [0, -1, 51, 2.5, Number.NaN, "3"]) {
      const error = await listAccountsWithLatest(await appPool(), {
        latest: latest as number,
      }).catch((e: unknown) => e);
      because(
        `expected listAccountsWithLatest({ latest: ${JSON.stringify(latest)} }) to throw ValidationError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
  });

  it("[R4.7] uses at most 2 queries, however many accounts there are (no N+1)", async () => {
    for (const extra of [0, 25]) {
      const added = await createAccounts(
        services.pg,
        Array.from({ length: extra }, () => 0),
        random,
      );
      if (added.length > 1)
        await seedHistory(services.pg, added, 50, new Date("2024-02-02T00:00:00Z"));
      const count = Number(
        (await services.pg.query("SELECT count(*) AS n FROM accounts")).rows[0].n,
      );
      // The queries are counted on the wire, between the learner's pool and Postgres.
      const spy = await startQueryProxy(services.databaseUrl);
      await listAccountsWithLatest(await learnerPool(learner, spy.url), { latest: 3 });
      because(
        `expected at most 2 queries to list ${count} accounts, saw ${spy.queries.length}`,
        () => expect(spy.queries.length).toBeLessThanOrEqual(2),
      );
    }
  });
});
