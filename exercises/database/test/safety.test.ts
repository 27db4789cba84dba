import { seededRandom } from "@backend-sandbox/testkit";
import { TimeoutError, ValidationError } from "#src/errors";
import { transferReport } from "#src/report";
import { searchAccounts } from "#src/search";
import { createAccounts } from "#support/create-accounts";
import { useMigratedDatabase } from "#support/use-migrated-database";
import { whileLocked } from "#support/while-locked";

const services = useMigratedDatabase();
const random = seededRandom();

describe("safety", () => {
  it("[R5.1] treats a search term as text, never as SQL", async () => {
    await createAccounts(services.pg, [10, 20], random);
    expect(await searchAccounts(services.pg, { q: "' OR 1=1 --" })).toEqual([]);
  });

  it("[R5.3] refuses a sort column outside the allowed list", async () => {
    await expect(
      searchAccounts(services.pg, { sort: "balance; DROP TABLE accounts" }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("[R5.5, R5.6] gives up with TimeoutError when the report is blocked, and leaves no timeout on the connection", async () => {
    const pool = services.newPool({ max: 1 }); // the next query gets the report's connection
    await whileLocked(services.pg, "LOCK TABLE transfers IN ACCESS EXCLUSIVE MODE", [], () =>
      expect(transferReport(pool, { timeoutMs: 200 })).rejects.toBeInstanceOf(TimeoutError),
    );
    await expect(pool.query("SELECT pg_sleep(0.4)")).resolves.toHaveProperty("rows");
  });
});
