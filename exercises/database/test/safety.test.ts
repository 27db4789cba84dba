import { seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as Report from "#src/report";
import type * as Search from "#src/search";
import { createAccounts } from "#support/create-accounts";
import { learnerPool, useAppPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";
import { whileLocked } from "#support/while-locked";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { searchAccounts } = learner.module<typeof Search>("search");
const { transferReport } = learner.module<typeof Report>("report");

describe("safety", () => {
  it("[R5.1] treats a search term as text, never as SQL", async () => {
    await createAccounts(services.pg, [10, 20], random);
    expect(await searchAccounts(await appPool(), { q: "' OR 1=1 --" })).toEqual([]);
  });

  it("[R5.3] refuses a sort column outside the allowed list", async () => {
    await expect(
      searchAccounts(await appPool(), { sort: "balance; DROP TABLE accounts" }),
    ).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("[R5.5, R5.6] gives up with TimeoutError when the report is blocked, and leaves no timeout on the connection", async () => {
    // One connection: the next query gets the report's connection.
    const pool = await learnerPool(learner, services.databaseUrl, { max: 1 });
    await whileLocked(services.pg, "LOCK TABLE transfers IN ACCESS EXCLUSIVE MODE", [], () =>
      expect(transferReport(pool, { timeoutMs: 200 })).rejects.toMatchObject({
        name: "TimeoutError",
      }),
    );
    await expect(pool.query("SELECT pg_sleep(0.4)")).resolves.toBeDefined();
  });
});
