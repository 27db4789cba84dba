import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { createAccounts } from "#support/create-accounts";
import { useMigratedDatabase } from "#support/use-migrated-database";

const services = useMigratedDatabase(useLearner());
const random = seededRandom();

/** Runs SQL that must break a rule of the schema; returns the SQLSTATE Postgres answered. */
async function violation(sql: string, values: unknown[] = []): Promise<string> {
  try {
    await services.pg.query(sql, values);
    return "none: the statement succeeded";
  } catch (error) {
    return String((error as { code?: string }).code ?? error);
  }
}

describe("migrations: the schema carries the rules", () => {
  it("[R1.6] rejects a negative balance with a CHECK constraint (23514)", async () => {
    const [id] = await createAccounts(services.pg, [random.int(1, 50)], random);
    const code = await violation("UPDATE accounts SET balance = -1 WHERE id = $1", [id]);
    because("expected UPDATE accounts SET balance = -1 to fail with SQLSTATE 23514", () =>
      expect(code).toBe("23514"),
    );
  });

  it("[R1.6] rejects an email that differs from an existing one only in case (23505)", async () => {
    const local = random.token(8);
    await services.pg.query("INSERT INTO accounts (email, name) VALUES ($1, 'Ann')", [
      `${local}@Example.test`,
    ]);
    const code = await violation("INSERT INTO accounts (email, name) VALUES ($1, 'Ann again')", [
      `${local.toUpperCase()}@example.TEST`,
    ]);
    because(
      `expected ${local.toUpperCase()}@example.TEST to collide with ${local}@Example.test (23505)`,
      () => expect(code).toBe("23505"),
    );
  });

  it("[R1.6] requires an email (23502)", async () => {
    const code = await violation("INSERT INTO accounts (email, name) VALUES (NULL, 'Nobody')");
    because("expected an account without email to be rejected with 23502", () =>
      expect(code).toBe("23502"),
    );
  });

  it("[R1.7] rejects transfers and entries that name a missing account (23503)", async () => {
    const [a, b] = await createAccounts(services.pg, [10, 10], random);
    const missing = 900_000_000 + random.int(0, 99_999);
    const transferCode = await violation(
      "INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES ($1, $2, 5)",
      [a, missing],
    );
    because(`expected a transfer to missing account ${missing} to fail with 23503`, () =>
      expect(transferCode).toBe("23503"),
    );
    const { rows } = await services.pg.query(
      "INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES ($1, $2, 5) RETURNING id",
      [a, b],
    );
    const entryCode = await violation(
      "INSERT INTO entries (transfer_id, account_id, amount) VALUES ($1, $2, 5)",
      [rows[0].id, missing],
    );
    because(`expected an entry for missing account ${missing} to fail with 23503`, () =>
      expect(entryCode).toBe("23503"),
    );
  });

  it("[R1.8] rejects a transfer of zero or less, and one from an account to itself (23514)", async () => {
    const [a, b] = await createAccounts(services.pg, [10, 10], random);
    const insert =
      "INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES ($1, $2, $3)";
    const seen = {
      zero: await violation(insert, [a, b, 0]),
      negative: await violation(insert, [a, b, -5]),
      self: await violation(insert, [a, a, 5]),
    };
    because("expected amounts 0 and -5 and a transfer to the same account to fail with 23514", () =>
      expect(seen).toEqual({ zero: "23514", negative: "23514", self: "23514" }),
    );
  });
});
